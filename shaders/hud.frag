#version 330 core
in vec2 v_uv;
in vec4 v_col;
uniform sampler2D u_atlas;
out vec4 o_col;
void main()
{
    float a = v_uv.x < 0.0 ? 1.0 : texture(u_atlas, v_uv).r;
    o_col = vec4(v_col.rgb, v_col.a * a);
}
