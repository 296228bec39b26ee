#version 330 core
// lines.vert: guide lines (zone, hairline design) on the skin, a constant width in pixels.
// Each segment is two triangles; a_end picks the endpoint, a_side the offset side.
layout(location = 0) in vec3 a_a;
layout(location = 1) in vec3 a_b;
layout(location = 2) in vec2 a_end_side;
layout(location = 3) in vec4 a_col;
uniform mat4 u_mvp;
uniform vec2 u_viewport;
uniform float u_width_px;
out vec4 v_col;
out float v_side;
void main()
{
    vec4 pa = u_mvp * vec4(a_a, 1.0);
    vec4 pb = u_mvp * vec4(a_b, 1.0);
    vec2 sa = pa.xy / max(pa.w, 1e-6) * u_viewport;
    vec2 sb = pb.xy / max(pb.w, 1e-6) * u_viewport;
    vec2 dir = sb - sa;
    float len = length(dir);
    dir = len > 1e-6 ? dir / len : vec2(1.0, 0.0);
    vec2 nrm = vec2(-dir.y, dir.x);
    vec4 p = a_end_side.x > 0.5 ? pb : pa;
    p.xy += nrm * a_end_side.y * (0.5 * u_width_px + 1.0) / u_viewport * 2.0 * p.w;
    p.z -= 0.0004 * p.w;
    gl_Position = p;
    v_col = a_col;
    v_side = a_end_side.y * (0.5 * u_width_px + 1.0);
}
