#version 330 core
// head.vert: the skin mesh (head or practice skin). Positions/normals in mm, chart (u, v)
// in mm.
layout(location = 0) in vec3 a_pos;
layout(location = 1) in vec3 a_nrm;
layout(location = 2) in vec2 a_chart;
uniform mat4 u_mvp;
out vec3 v_pos;
out vec3 v_nrm;
out vec2 v_chart;
void main()
{
    v_pos = a_pos;
    v_nrm = a_nrm;
    v_chart = a_chart;
    gl_Position = u_mvp * vec4(a_pos, 1.0);
}
