#version 330 core
// (compiled twice: with OVERLAY defined for the feedback overlay, and without)
// head.frag: skin + the baked dot texture (chart space, premultiplied linear colour with
// area coverage in alpha, box-filtered mipmaps: a sub-pixel dot adds its true area) +
// the feedback overlay, lit. Output is encoded to sRGB here (u_encode), as the pass
// needs no blending.
// Where crisp instanced dots are drawn (working magnification), the texture fades out by
// the same weight the dot shader fades in (ratio of texel to pixel size).
in vec3 v_pos;
in vec3 v_nrm;
in vec2 v_chart;
uniform vec3 u_skin;          // linear albedo
uniform vec3 u_eye;
uniform vec3 u_light;         // unit, towards the key light
uniform sampler2D u_dots;
uniform vec4 u_dots_xform;    // chart origin (u0, v0), 1 / size (mm)
uniform float u_texel_mm;
uniform float u_inst_on;      // 1 when crisp instanced dots are drawn this frame
uniform vec2 u_inst_ramp;     // texel/pixel ratios where the crisp dots fade in
uniform sampler2D u_overlay;
uniform vec4 u_overlay_xform;
uniform float u_encode;       // 1: write sRGB-encoded bytes (the framebuffer does not encode)
out vec4 o_col;

void main()
{
    vec2 st = (v_chart - u_dots_xform.xy) * u_dots_xform.zw;
#ifdef EXP_NOTEX
    vec4 d = vec4(st.x*0.001);
#elif defined(EXP_BIAS)
    vec4 d = textureLod(u_dots, st, 3.0);
#else
    vec4 d = texture(u_dots, st);
#endif
    float px_mm = max(length(dFdx(v_chart)), length(dFdy(v_chart)));
    float ratio = u_texel_mm / max(px_mm, 1e-6);
    float w_inst = u_inst_on * smoothstep(u_inst_ramp.x, u_inst_ramp.y, ratio);
    d *= 1.0 - w_inst;
    vec3 albedo = u_skin;
    albedo = albedo * (1.0 - d.a) + d.rgb;
#ifdef OVERLAY
    vec4 ov = texture(u_overlay, (v_chart - u_overlay_xform.xy) * u_overlay_xform.zw);
    albedo = mix(albedo, ov.rgb, ov.a);
#endif
    vec3 n = normalize(v_nrm);
    vec3 vdir = normalize(u_eye - v_pos);
    if (dot(n, vdir) < 0.0)
        n = -n;
    float diff = max(dot(n, u_light), 0.0);
    float fill = max(dot(n, vdir), 0.0);
    float light = 0.22 + 0.55 * diff + 0.30 * fill;
    vec3 c = clamp(albedo * light, 0.0, 1.0);
#ifndef EXP_NOPOW
    if (u_encode > 0.5)
        c = mix(c * 12.92, 1.055 * pow(c, vec3(1.0 / 2.4)) - 0.055, step(vec3(0.0031308), c));
#endif
#ifdef EXP_CONST
    c = vec3(0.5);
#endif
    o_col = vec4(c, 1.0);
}
