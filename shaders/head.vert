#version 330 core
// head.vert: the skin mesh (head or practice skin). Positions/normals in mm, chart (u, v)
// in mm. Lit here, per vertex: the light is smooth over the skin, and on llvmpipe every
// value a fragment computes or interpolates costs per pixel (see head.frag).
layout(location = 0) in vec3 a_pos;
layout(location = 1) in vec3 a_nrm;
layout(location = 2) in vec2 a_chart;
uniform mat4 u_mvp;
uniform vec3 u_eye;
uniform vec3 u_light;         // unit, towards the key light
uniform float u_sheen;        // strength of the sheen (0: matte)
uniform vec4 u_dots_xform;    // chart origin (u0, v0), 1 / size (mm)
uniform vec4 u_overlay_xform;
uniform vec4 u_scar_xform;
out vec2 v_st;                // dot texture coordinates
#ifdef OVERLAY
out vec2 v_ost;               // overlay texture coordinates
#endif
#ifdef SCARS
out vec2 v_sst;               // scar texture coordinates
#endif
out vec4 v_light;             // rgb: diffuse light x the skin's mottle; a: sheen (added)

// A smooth value noise of position (mm): the skin's colour is never one flat paint; over a
// few centimetres it mottles a little (per vertex: the mesh's 5 mm cells smooth it).
float hash3(vec3 p)
{
    p = fract(p * 0.3183099 + 0.1);
    p *= 17.0;
    return fract(p.x * p.y * p.z * (p.x + p.y + p.z));
}
float noise3(vec3 x)
{
    vec3 i = floor(x), f = fract(x);
    f = f * f * (3.0 - 2.0 * f);
    return mix(mix(mix(hash3(i), hash3(i + vec3(1, 0, 0)), f.x), mix(hash3(i + vec3(0, 1, 0)), hash3(i + vec3(1, 1, 0)), f.x), f.y),
               mix(mix(hash3(i + vec3(0, 0, 1)), hash3(i + vec3(1, 0, 1)), f.x), mix(hash3(i + vec3(0, 1, 1)), hash3(i + vec3(1, 1, 1)), f.x), f.y), f.z);
}

void main()
{
    vec3 n = normalize(a_nrm);
    vec3 vdir = normalize(u_eye - a_pos);
    float fill = dot(n, vdir);
    if (fill < 0.0) {
        n = -n;
        fill = -fill;
    }
    float diff = max(dot(n, u_light), 0.0);
    float light = 0.22 + 0.55 * diff + 0.30 * fill;
    // mottle: +-4 % in brightness, warmer where darker, over 2-3 cm
    float m = noise3(a_pos * 0.045) + 0.5 * noise3(a_pos * 0.11) - 0.75;
    vec3 mottle = vec3(1.0 + 0.05 * m, 1.0 + 0.035 * m, 1.0 + 0.025 * m);
    // the soft sheen of a shaved scalp: a broad, faint highlight of the key light
    vec3 hv = normalize(u_light + vdir);
    float sheen = u_sheen * pow(max(dot(n, hv), 0.0), 14.0);
    v_light = vec4(light * mottle, sheen);
    v_st = (a_chart - u_dots_xform.xy) * u_dots_xform.zw;
#ifdef OVERLAY
    v_ost = (a_chart - u_overlay_xform.xy) * u_overlay_xform.zw;
#endif
#ifdef SCARS
    v_sst = (a_chart - u_scar_xform.xy) * u_scar_xform.zw;
#endif
    gl_Position = u_mvp * vec4(a_pos, 1.0);
}
