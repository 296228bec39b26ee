#version 330 core
// dots.vert: crisp dots at working magnification, one instance per dot in view. The quad
// lies in the skin's tangent plane at the dot; local coordinates are skin mm along the
// chart's u and v directions.
layout(location = 0) in vec2 a_corner;     // [-1, 1]^2
layout(location = 1) in vec3 i_pos;
layout(location = 2) in vec3 i_eu;
layout(location = 3) in vec3 i_ev;
layout(location = 4) in vec4 i_shape;      // radius mm, softness, elongation, angle (rad)
layout(location = 5) in vec2 i_tail;       // local mm
layout(location = 6) in vec4 i_col;        // linear rgb, opacity
uniform mat4 u_mvp;
out vec2 v_local;
flat out vec4 v_shape;
flat out vec2 v_tail;
flat out vec4 v_col;
void main()
{
    vec3 n = normalize(cross(i_eu, i_ev));
    float half_mm = i_shape.x * (1.0 + i_shape.y) * max(i_shape.z, 1.0) + length(i_tail);
    vec2 local = a_corner * half_mm;
    vec3 p = i_pos + i_eu * local.x + i_ev * local.y;
    gl_Position = u_mvp * vec4(p, 1.0);
    v_local = local;
    v_shape = i_shape;
    v_tail = i_tail;
    v_col = i_col;
}
