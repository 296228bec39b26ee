#version 330 core
// dots.frag: the dot's profile, the same function as dot_look_alpha() in
// sim/render/dotlook.c (that one bakes the texture). Premultiplied output, weighted by the
// cross-fade with the texture.
in vec2 v_local;
in vec2 v_q;
flat in vec2 v_edge;
flat in vec2 v_tail;
flat in vec2 v_tail_edge;
flat in vec4 v_col;
uniform float u_weight;       // the cross-fade with the texture (see renderer.c)
out vec4 o_col;

void main()
{
    float a = 1.0 - smoothstep(v_edge.x, v_edge.y, length(v_q));
#ifdef TAIL
    // (compiled twice: with TAIL for dots with a tail, and without, for the rest)
    float tl2 = dot(v_tail, v_tail);
    float h = clamp(dot(v_local, v_tail) / max(tl2, 1e-8), 0.0, 1.0);
    float dt = length(v_local - v_tail * h);
    float at = 0.75 * (1.0 - 0.5 * h) * (1.0 - smoothstep(v_tail_edge.x, v_tail_edge.y, dt));
    a = max(a, at);
#endif
    a *= v_col.a * u_weight;
    if (a <= 0.0)
        discard;
    o_col = vec4(v_col.rgb * a, a);
}
