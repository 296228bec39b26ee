#version 330 core
in vec2 v_px;
flat in vec4 v_col;
flat in float v_size;
out vec4 o_col;
void main()
{
    float r = length(v_px);
    float ring = clamp(1.0 - abs(r - (v_size - 1.5)) + 0.8, 0.0, 1.0);
    float a = v_col.a * ring;
    if (a <= 0.0)
        discard;
    o_col = vec4(v_col.rgb * a, a);
}
