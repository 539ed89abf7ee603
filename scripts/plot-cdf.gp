# plot-cdf.gp — one run's distribution of unavailable time per partition (the clients'
# view), over the partitions that were unavailable at all: the share of them that were
# unavailable for at most x seconds in all. The title says how many of all partitions that is.
# Data: kcsim plot's cdf.dat and run.gp (sim_sweep_plotrun.c).
w = 900; h = 560
load scripts.'/plot-common.gp'
load data.'/run.gp'

set title run_title."\nunavailable time per partition: ".n_ever_unavailable." of ".n_partitions." partitions were ever unavailable" font ',13'
set xlabel 'total unavailable time of a partition (s)'
set ylabel 'of those partitions, unavailable at most that long (%)'
set yrange [0 : 105]
set ytics 0, 20, 100
set xrange [0 : (max_unavailable_us > 0 ? max_unavailable_us * 1.05 / 1e6 : 1)]
set format x '%g'
set key bottom right Left reverse samplen 3
total = n_ever_unavailable > 0 ? n_ever_unavailable : 1
if (n_ever_unavailable == 0) {
	set label 1 'no partition was ever unavailable' at graph 0.5, graph 0.5 center font ',14' tc rgb '#666666'
} else {
	# the last step carries on to the right edge
	set arrow 1 from max_unavailable_us / 1e6, 100 to graph 1, first 100 nohead lw 3 lc rgb c_unavailable
}
# the curve when some partition was unavailable, and dots at each distinct value while they are
# few enough to tell apart
cmd = "plot NaN notitle"
if (n_ever_unavailable > 0) {
	cmd = cmd.", data.'/cdf.dat' using ($1 / 1e6):(100.0 * $2 / total) with steps lw 3 lc rgb c_unavailable title 'cumulative share of the partitions ever unavailable'"
}
if (cdf_points > 0 && cdf_points <= 40) {
	cmd = cmd.", data.'/cdf.dat' every ::1 using ($1 / 1e6):(100.0 * $2 / total) with points pt 7 ps 0.8 lc rgb c_unavailable notitle"
}

do for [fmt in 'png svg'] {
	eval (fmt eq 'png' ? png : svg)
	eval cmd
}
unset output
