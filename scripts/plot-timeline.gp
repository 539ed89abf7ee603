# plot-timeline.gp — one run over simulated time, two panels sharing the time axis:
#   above, partitions: unavailable (the clients' view: no live broker acts as leader),
#   leaderless and offline (ZooKeeper's view) and under-replicated;
#   below, the controller: events waiting in its queue, and requests in flight to brokers.
# Faults (red dashes), controller changes (purple dots) and the controller's operation spans
# (grey boxes) are marked on both. Data: kcsim plot's timeline.dat, run.gp, marks.gp
# (sim_sweep_plotrun.c).
w = 1200; h = 800
load scripts.'/plot-common.gp'
load data.'/run.gp'
load data.'/marks.gp'

tl = data.'/timeline.dat'
left = 0.07; right = 0.92; split = 0.42
set xrange [xlo_us / 1e6 : xhi_us / 1e6]
set format x '%g'
set format y '%.0f'
set format y2 '%.0f'
set lmargin at screen left
set rmargin at screen right

do for [fmt in 'png svg'] {
	eval (fmt eq 'png' ? png : svg)
	set multiplot title run_title font ',13'

	# partitions
	set tmargin at screen 0.92
	set bmargin at screen split + 0.04
	set xlabel ''
	set ylabel 'partitions'
	set yrange [0 : (max_partitions > 0 ? max_partitions * 1.12 : 1)]
	if (max_partitions <= 8) { set ytics 1 } else { set ytics autofreq }
	# one legend for both panels, under them
	set key at screen 0.5, screen 0.115 center top vertical Left reverse maxrows 3 samplen 3 width 1 spacing 1.15 font ',10'
	plot tl using ($1 / 1e6):2 with steps lw 3 lc rgb c_unavailable title 'unavailable (no live broker leads)', \
	     tl using ($1 / 1e6):3 with steps lw 2 lc rgb c_leaderless title 'leaderless (ZooKeeper leader -1)', \
	     tl using ($1 / 1e6):4 with steps lw 2 dt 2 lc rgb c_offline title 'offline (ZooKeeper leader dead)', \
	     tl using ($1 / 1e6):5 with steps lw 2 lc rgb c_urp title 'under-replicated (ISR < replicas)', \
	     NaN with lines lw 2 dt 2 lc rgb fault_color title 'fault', \
	     NaN with lines lw 1.5 dt 3 lc rgb ctrl_color title 'controller change', \
	     NaN with boxes fs solid 1.0 lc rgb '#D8D8D8' title 'controller operation', \
	     NaN with steps lw 2 lc rgb c_queue title 'controller queue (lower, left axis)', \
	     NaN with steps lw 1.5 lc rgb c_in_flight title 'requests in flight (lower, right axis)'

	# the controller; operation and controller labels stay above
	unset label
	set tmargin at screen split
	set bmargin at screen 0.19
	set xlabel 'simulated time (s)'
	set ylabel 'queued events'
	set y2label 'requests in flight' tc rgb c_in_flight
	set yrange [0 : (max_queue > 0 ? max_queue * 1.15 : 1)]
	set y2range [0 : (max_in_flight > 0 ? max_in_flight * 1.15 : 1)]
	if (max_queue <= 8) { set ytics 1 nomirror } else { set ytics autofreq nomirror }
	if (max_in_flight <= 8) { set y2tics 1 tc rgb c_in_flight } else { set y2tics autofreq tc rgb c_in_flight }
	unset key
	plot tl using ($1 / 1e6):6 with steps lw 2 lc rgb c_queue, \
	     tl using ($1 / 1e6):7 axes x1y2 with steps lw 1.5 lc rgb c_in_flight
	set key
	unset multiplot
	unset y2tics
	unset y2label
	load data.'/marks.gp'
}
unset output
