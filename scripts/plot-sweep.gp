# plot-sweep.gp — one figure of a sweep against the swept parameter, one line per
# combination of the other swept values (e.g. zk_mode and batch_requests). Runs whose figure
# is "never" (-1 in sweep.csv) leave a gap. Data: kcsim plot's FIGURE.dat and FIGURE.gp
# (sim_sweep_plotsweep.c); `data` names them without the extension.
w = 900; h = 580
load scripts.'/plot-common.gp'
load data.'.gp'

# Odd series draw wide and solid with big marks, even ones narrow and dashed with small marks,
# so that two series with equal values (say, batched and unbatched) both stay visible.
set linetype 1 lc rgb '#0072B2' lw 4 dt 1 pt 7 ps 1.9
set linetype 2 lc rgb '#D55E00' lw 2 dt 2 pt 5 ps 1.0
set linetype 3 lc rgb '#009E73' lw 4 dt 1 pt 9 ps 2.2
set linetype 4 lc rgb '#CC79A7' lw 2 dt 2 pt 11 ps 1.2
set linetype 5 lc rgb '#E69F00' lw 4 dt 1 pt 13 ps 2.0
set linetype 6 lc rgb '#56B4E9' lw 2 dt 2 pt 6 ps 1.0
set linetype 7 lc rgb '#000000' lw 4 dt 1 pt 4 ps 1.8
set linetype 8 lc rgb '#F0E442' lw 2 dt 2 pt 8 ps 1.2
set linetype cycle 8

set title sweep_title font ',13'
set xlabel xlabel
set ylabel ylabel
if (xlog) { set logscale x; set format x '%g' }
# all zeros still get an axis; a log axis spans the decades the values reach
if (ylog) {
	set logscale y
	set format y (ydiv == 1 ? '%.0f' : '%g')
	set yrange [10.0 ** floor(log10(ymin * 1.0 / ydiv)) : 10.0 ** ceil(log10(ymax * 1.5 / ydiv))]
} else {
	set yrange [0 : (ymax > 0 ? ymax * 1.08 / ydiv : 1)]
}
set key top left Left reverse box opaque samplen 3 width 1
# one line needs no legend
if (n_series == 1) { unset key }
# the x range hugs the values, unless the data file set one (categories, a single value)
if (!xrange_set) { set autoscale xfix; set offsets graph 0.04, graph 0.04, 0, 0 }

style = xcat ? 'points' : 'linespoints'
@png
plot for [i = 1:n_series] data.'.dat' index (i - 1) using 1:($2 / ydiv) with @style lt i title value(sprintf('series_%d', i))
@svg
replot
unset output
