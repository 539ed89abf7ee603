# scale.gp — plots of the scale benchmark (scripts/bench/scale.sh): wall time and peak memory
# against partitions, one line per start-up mode, each with the straight line through the
# origin and its largest run, so that a curve that grows faster than linearly shows as points
# above the line.
# Called with data (scale.csv) and out (path prefix); writes out-wall.* and out-memory.*.
w = 800
h = 500
set datafile separator ','
set key top left Left reverse
set grid
set xlabel 'partitions (replicas = 3 x partitions)'
set format x '%.0s%c'
set xrange [0:*]
set yrange [0:*]
# column 1 is the start-up mode; a row of another mode reads as missing
only(mode, col) = strcol(1) eq mode ? column(col) : NaN
stats data using (only('instant', 2)):(only('instant', 4)) nooutput
wall_slope_i = STATS_max_x > 0 ? STATS_max_y / STATS_max_x : 0
stats data using (only('simulated', 2)):(only('simulated', 4)) nooutput
wall_slope_s = STATS_max_x > 0 ? STATS_max_y / STATS_max_x : 0
stats data using (only('instant', 2)):(only('instant', 5)) nooutput
mem_slope_i = STATS_max_x > 0 ? STATS_max_y / STATS_max_x : 0
stats data using (only('simulated', 2)):(only('simulated', 5)) nooutput
mem_slope_s = STATS_max_x > 0 ? STATS_max_y / STATS_max_x : 0

do for [t = 0:1] {
	if (t == 0) {
		set terminal pngcairo size w,h font 'DejaVu Sans,11' noenhanced linewidth 1.0
		ext = '.png'
	} else {
		set terminal svg size w,h font 'DejaVu Sans,11' noenhanced linewidth 1.0 background '#ffffff'
		ext = '.svg'
	}
	set output out.'-wall'.ext
	set title 'kcsim run: start-up, controller failover, broker crash (100 brokers)'
	set ylabel 'wall time (s)'
	plot data using (only('instant', 2)):(only('instant', 4)) skip 1 with linespoints lw 2 pt 7 lc rgb '#0072B2' title 'instant start-up', \
	     data using (only('simulated', 2)):(only('simulated', 4)) skip 1 with linespoints lw 2 pt 5 lc rgb '#D55E00' title 'simulated start-up', \
	     wall_slope_i * x with lines dt 2 lc rgb '#0072B2' title 'linear (through the largest run)', \
	     wall_slope_s * x with lines dt 2 lc rgb '#D55E00' notitle
	set output out.'-memory'.ext
	set ylabel 'peak resident memory (MiB)'
	plot data using (only('instant', 2)):(only('instant', 5)) skip 1 with linespoints lw 2 pt 7 lc rgb '#0072B2' title 'instant start-up', \
	     data using (only('simulated', 2)):(only('simulated', 5)) skip 1 with linespoints lw 2 pt 5 lc rgb '#D55E00' title 'simulated start-up', \
	     mem_slope_i * x with lines dt 2 lc rgb '#0072B2' title 'linear (through the largest run)', \
	     mem_slope_s * x with lines dt 2 lc rgb '#D55E00' notitle
	unset output
}
