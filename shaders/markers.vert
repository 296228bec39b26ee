#version 330 core
// markers.vert: flag rings around dots, a constant size in pixels, hidden on the far side.
layout(location = 0) in vec2 a_corner;
layout(location = 1) in vec3 i_pos;
layout(location = 2) in vec3 i_nrm;
layout(location = 3) in vec4 i_col;
layout(location = 4) in float i_size;
uniform mat4 u_mvp;
uniform vec3 u_eye;
uniform vec2 u_viewport;
out vec2 v_px;
flat out vec4 v_col;
flat out float v_size;
void main()
{
    vec4 c = u_mvp * vec4(i_pos + i_nrm * 0.2, 1.0);
    if (dot(i_nrm, u_eye - i_pos) < 0.0)
        c = vec4(2.0, 2.0, 2.0, 1.0);           /* back side: off screen */
    c.xy += a_corner * (i_size + 1.0) / u_viewport * 2.0 * c.w;
    c.z -= 0.002 * c.w;
    gl_Position = c;
    v_px = a_corner * (i_size + 1.0);
    v_col = i_col;
    v_size = i_size;
}
