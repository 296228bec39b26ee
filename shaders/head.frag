#version 330 core
// (compiled per FILTER (0-3; see main), with OVERLAY defined for the feedback overlay or
// not, with SCARS defined or not: a lesson's scars where crisp dots are drawn)
// head.frag: skin + the baked dot texture (chart space, premultiplied linear colour with
// area coverage in alpha, box-filtered mipmaps: a sub-pixel dot adds its true area) +
// the feedback overlay, lit (the light comes from head.vert). Output is encoded to sRGB
// here, as the pass needs no blending.
// Where crisp instanced dots are drawn (magnification), the texture is not sampled at all
// (FILTER 3); while the view changes from one to the other, both, cross-faded.
// Cost: this shader runs for every skin pixel (a million at 1280x800) on llvmpipe; keep it
// to one texture fetch and a few operations a pixel.
in vec2 v_st;
#ifdef OVERLAY
in vec2 v_ost;
#endif
#ifdef SCARS
in vec2 v_sst;
uniform sampler2D u_scars;    // scar tissue: premultiplied colour, coverage in alpha
#endif
in vec4 v_light;              // rgb: light x mottle; a: sheen (head.vert)
uniform vec3 u_skin;          // linear albedo
uniform sampler2D u_dots;
uniform float u_lod0;        // FILTER 2: the weight of level 0 alone
uniform float u_tex_weight;   // 1 - the crisp dots' weight (cross-fade, see renderer.c)
uniform sampler2D u_overlay;
out vec4 o_col;

// Linear -> sRGB: one sqrt and a degree-5 polynomial in it (a minimax fit of
// 1.055 c^(1/2.4) - 0.055 over c in [0.0031308, 1]: within 0.09 of an 8-bit level of the
// exact curve; pow() costs llvmpipe ~3 ms a frame at 1280x800, and each sqrt ~1 ms).
vec3 encode(vec3 c)
{
    vec3 s = sqrt(c);
    vec3 hi = ((((0.5173043609 * s - 1.6236618757) * s + 2.0315771103) * s - 1.4027370214) * s
               + 1.5179508924) * s - 0.0401096120;
    return mix(c * 12.92, hi, step(vec3(0.0031308), c));
}

void main()
{
    // The dot texture, filtered one of four ways (FILTER, one program each, picked per
    // draw from the zoom in renderer.c): 0, GL's trilinear filter (per-pixel level from
    // derivatives); 1, level 0 alone (a scalar level: one bilinear fetch, ~10 ms a frame
    // cheaper on llvmpipe where the skin fills the screen); 2, the two mixed by u_lod0, only
    // during the 150 ms cross-fade from one to the other (renderer.c); 3, none.
#if FILTER == 3
    vec4 d = vec4(0.0);   // 3: none, where crisp dots replace the texture over the whole view
#elif FILTER == 1
    vec4 d = textureLod(u_dots, v_st, 0.0);
#elif FILTER == 2
    vec4 d = mix(texture(u_dots, v_st), textureLod(u_dots, v_st, 0.0), u_lod0);
#else
    vec4 d = texture(u_dots, v_st);
#endif
    // the texture's look weighted by u_tex_weight, the skin's (under crisp dots) by the rest;
    // with scars, that skin has them (the dot texture has them under its dots already)
    d *= u_tex_weight;
#ifdef SCARS
    vec4 sc = texture(u_scars, v_sst) * (1.0 - u_tex_weight);
    vec3 albedo = u_skin * (1.0 - d.a - sc.a) + d.rgb + sc.rgb;
#else
    vec3 albedo = u_skin * (1.0 - d.a) + d.rgb;
#endif
#ifdef OVERLAY
    vec4 ov = texture(u_overlay, v_ost);
    albedo = mix(albedo, ov.rgb, ov.a);
#endif
    vec3 c = clamp(albedo * v_light.rgb + v_light.a, 0.0, 1.0);
    o_col = vec4(encode(c), 1.0);
}
