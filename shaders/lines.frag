#version 330 core
in vec4 v_col;
in float v_side;
uniform float u_width_px;
out vec4 o_col;
void main()
{
    float a = v_col.a * clamp(0.5 * u_width_px + 0.5 - abs(v_side), 0.0, 1.0);
    o_col = vec4(v_col.rgb * a, a);
}
