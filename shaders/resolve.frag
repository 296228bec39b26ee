#version 330 core
// resolve.frag: the scene (rendered and blended in linear light into an sRGB texture)
// copied to the window as sRGB bytes.
in vec2 v_uv;
uniform sampler2D u_scene;
out vec4 o_col;
vec3 encode(vec3 c)
{
    c = clamp(c, 0.0, 1.0);
    vec3 s1 = sqrt(c), s2 = sqrt(s1), s3 = sqrt(s2);   // as head.frag's encode()
    vec3 hi = 0.6434342122 * s1 + 0.7112943377 * s2 - 0.3366112790 * s3 - 0.0181511991 * c;
    return mix(c * 12.92, hi, step(vec3(0.0031308), c));
}
void main()
{
    o_col = vec4(encode(texelFetch(u_scene, ivec2(gl_FragCoord.xy), 0).rgb), 1.0);
}
