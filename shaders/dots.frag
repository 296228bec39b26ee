#version 330 core
// dots.frag: the dot's profile, the same function as dot_look_alpha() in
// sim/render/dotlook.c (that one bakes the texture). Premultiplied output.
in vec2 v_local;
flat in vec4 v_shape;
flat in vec2 v_tail;
flat in vec4 v_col;
uniform float u_texel_mm;
uniform vec2 u_inst_ramp;
out vec4 o_col;

float profile(vec2 p)
{
    float R = v_shape.x, s = v_shape.y, e = max(v_shape.z, 1.0), ang = v_shape.w;
    float c = cos(ang), sn = sin(ang);
    vec2 q = vec2((p.x * c + p.y * sn) / e, -p.x * sn + p.y * c);
    float a = 1.0 - smoothstep(R * (1.0 - s), R * (1.0 + s), length(q));
    float tl2 = dot(v_tail, v_tail);
    if (tl2 > 1e-8) {
        float h = clamp(dot(p, v_tail) / tl2, 0.0, 1.0);
        float dt = length(p - v_tail * h);
        float Rt = 0.5 * R;
        float at = 0.75 * (1.0 - 0.5 * h) * (1.0 - smoothstep(Rt * (1.0 - s), Rt * (1.0 + s), dt));
        a = max(a, at);
    }
    return a;
}

void main()
{
    float px_mm = max(length(dFdx(v_local)), length(dFdy(v_local)));
    float w = smoothstep(u_inst_ramp.x, u_inst_ramp.y, u_texel_mm / max(px_mm, 1e-6));
    float a = profile(v_local) * v_col.a * w;
    if (a <= 0.0)
        discard;
    o_col = vec4(v_col.rgb * a, a);
}
