#version 330 core
// resolve.frag: the scene (rendered and blended in linear light into an sRGB texture)
// copied to the window as sRGB bytes.
in vec2 v_uv;
uniform sampler2D u_scene;
out vec4 o_col;
vec3 encode(vec3 c)
{
    c = clamp(c, 0.0, 1.0);
    vec3 s = sqrt(c);                                  // as head.frag's encode()
    vec3 hi = ((((0.5173043609 * s - 1.6236618757) * s + 2.0315771103) * s - 1.4027370214) * s
               + 1.5179508924) * s - 0.0401096120;
    return mix(c * 12.92, hi, step(vec3(0.0031308), c));
}
void main()
{
    o_col = vec4(encode(texelFetch(u_scene, ivec2(gl_FragCoord.xy), 0).rgb), 1.0);
}
