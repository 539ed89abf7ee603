# plot-busy.gp — one run's controller events by kind over simulated time (a Gantt strip):
# a bar while an event runs (one event at a time holds the controller), a dotted line while
# it waited in the queue; faults and operation spans marked as on the timeline. Each row's
# label gives the events' count and total busy time. Needs a run made with --trace.
# Data: kcsim plot's busy.dat, run.gp, marks.gp (sim_sweep_plotrun.c).
load data.'/run.gp'
load data.'/busy.gp'
w = 1100; h = 260 + 55 * n_kinds
load scripts.'/plot-common.gp'
load data.'/marks.gp'
# labels would sit on the bars; the shading and the fault and controller lines stay
unset label

set title run_title."\ncontroller events over simulated time (bar: running, dots: queued)" font ',13'
set xlabel 'simulated time (s)'
set xrange [xlo_us / 1e6 : xhi_us / 1e6]
set yrange [n_kinds - 0.4 : -0.6]
set format x '%g'
set grid noytics
set key at screen 0.5, screen 0.01 center bottom horizontal Left reverse samplen 3 width 2 maxrows 2
set tmargin 4
set bmargin 7
# a bar at least a pixel wide, so that short events still show
minw = (xhi_us - xlo_us) / 1e6 / 1000

@png
plot data.'/busy.dat' using ($4 / 1e6):1:(($2 - $4) / 1e6):(0) with vectors nohead lw 2 dt 3 lc rgb c_queue title 'waiting in the queue', \
     data.'/busy.dat' using (($2 + $3) / 2e6):1:((($3 - $2) / 2e6) > minw ? (($3 - $2) / 2e6) : minw):(0.3) with boxxyerror fs solid 0.85 noborder lc rgb c_leaderless title 'running (the controller is busy)', \
     NaN with lines lw 2 dt 2 lc rgb fault_color title 'fault', \
     NaN with lines lw 1.5 dt 3 lc rgb ctrl_color title 'controller change'
@svg
replot
unset output
