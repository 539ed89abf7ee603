# plot-sweep.gp — one figure of a sweep against the swept parameter, one line per
# combination of the other swept values (e.g. zk_mode and batch_requests). Runs whose figure
# is "never" (-1 in sweep.csv) leave a gap. Data: kcsim plot's FIGURE.dat and FIGURE.gp
# (sim_sweep_plotsweep.c); `data` names them without the extension.
w = 900; h = 580
load scripts.'/plot-common.gp'
load data.'.gp'

set title sweep_title font ',13'
set xlabel xlabel
set ylabel ylabel
if (xlog) { set logscale x; set format x '%g' }
set yrange [0 : *]
set key top left Left reverse box opaque samplen 3 width 1
set autoscale xfix
set offsets graph 0.04, graph 0.04, graph 0.08, 0

@png
plot for [i = 1:n_series] data.'.dat' index (i - 1) using 1:($2 / ydiv) with linespoints lt i title value(sprintf('series_%d', i))
@svg
replot
unset output
