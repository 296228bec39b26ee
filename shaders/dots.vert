#version 330 core
// dots.vert: crisp dots at working magnification, one instance per dot in view. The quad
// lies in the skin's tangent plane at the dot; local coordinates are skin mm along the
// chart's u and v directions. The dot's rotated, elongation-scaled frame is linear in the
// local coordinates, so it is computed here and interpolated (no trigonometry a pixel).
layout(location = 0) in vec2 a_corner;     // [-1, 1]^2
layout(location = 1) in vec3 i_pos;
layout(location = 2) in vec3 i_eu;
layout(location = 3) in vec3 i_ev;
layout(location = 4) in vec4 i_shape;      // radius mm, softness, elongation, angle (rad)
layout(location = 5) in vec2 i_tail;       // local mm
layout(location = 6) in vec4 i_col;        // linear rgb, opacity
uniform mat4 u_mvp;
out vec2 v_local;
out vec2 v_q;                              // local, rotated by -angle, major axis / elongation
flat out vec2 v_edge;                      // smoothstep edges of the round part (mm)
flat out vec2 v_tail;
flat out vec2 v_tail_edge;                 // ... of the tail
flat out vec4 v_col;
void main()
{
    float R = i_shape.x, s = i_shape.y, e = max(i_shape.z, 1.0), ang = i_shape.w;
    float c = cos(ang), sn = sin(ang);
    vec2 local;
    if (dot(i_tail, i_tail) > 0.0) {
        // a square round the dot and its tail
        local = a_corner * (R * (1.0 + s) * e + length(i_tail));
    } else {
        // a rectangle along the major axis: elongated marks (tilted needles, hairs) cover
        // few pixels of a square round them
        vec2 q = a_corner * vec2(R * (1.0 + s) * e, R * (1.0 + s));
        local = vec2(q.x * c - q.y * sn, q.x * sn + q.y * c);
    }
    vec3 p = i_pos + i_eu * local.x + i_ev * local.y;
    gl_Position = u_mvp * vec4(p, 1.0);
    v_local = local;
    v_q = vec2((local.x * c + local.y * sn) / e, -local.x * sn + local.y * c);
    v_edge = vec2(R * (1.0 - s), R * (1.0 + s));
    v_tail_edge = 0.5 * v_edge;
    v_tail = i_tail;
    v_col = i_col;
}
