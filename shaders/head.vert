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
out float v_light;
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
    v_light = 0.22 + 0.55 * diff + 0.30 * fill;
    v_st = (a_chart - u_dots_xform.xy) * u_dots_xform.zw;
#ifdef OVERLAY
    v_ost = (a_chart - u_overlay_xform.xy) * u_overlay_xform.zw;
#endif
#ifdef SCARS
    v_sst = (a_chart - u_scar_xform.xy) * u_scar_xform.zw;
#endif
    gl_Position = u_mvp * vec4(a_pos, 1.0);
}
