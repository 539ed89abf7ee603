# plot-common.gp — what every kcsim plot shares: the two terminals (PNG through cairo, and
# SVG), the font, colour-blind-safe colours (Okabe-Ito) and the positions of mark labels.
# Loaded by the plot-*.gp scripts after they set w and h (pixels); `kcsim plot` passes
# scripts, data and out. Neither terminal writes a date, so the same data give the same bytes.
png = "set terminal pngcairo size w,h font 'DejaVu Sans,11' noenhanced linewidth 1.0; set output out.'.png'"
svg = "set terminal svg size w,h font 'DejaVu Sans,11' noenhanced linewidth 1.0 background '#ffffff'; set output out.'.svg'"

c_unavailable = '#D55E00'
c_leaderless  = '#0072B2'
c_offline     = '#E69F00'
c_urp         = '#009E73'
c_queue       = '#555555'
c_in_flight   = '#56B4E9'
fault_color   = '#C0392B'
ctrl_color    = '#7B3FA0'
op_color      = '#ECECEC'
op_text_color = '#444444'
op_font       = ',9'
mark_font     = ',9'
# Operation labels go down from the top, controller changes up from the bottom, so that
# neither covers the other.
op_label_y(i)   = 0.95 - 0.055 * (i % 8)
ctrl_label_y(i) = 0.05 + 0.055 * (i % 8)

set grid xtics ytics lc rgb '#DDDDDD' lw 1 dt 1
set border lc rgb '#444444'
set datafile missing '?'
