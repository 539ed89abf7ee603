/* sim_report.h — the result files of one run: summary.json, timeline.csv, partitions.csv
 * (and the trace's files), each written to a temporary file in the results folder and renamed
 * into place, so that nothing is left half-written. */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

#include "sim_observe.h"

/* mkdir -p; false with errno set on failure. */
bool sim_report_mkdirs(const char *dir);
/* Write every result file of the run; false (with a message on stderr) on an I/O error. */
bool sim_report_write(struct sim_world *w, struct sim_observer *o, bool pass, bool max_time);
/* Open DIR/NAME.tmp for writing (NULL with errno set on failure); sim_report_commit closes
 * it and, only if every write and the close succeeded, renames it to DIR/NAME; otherwise it
 * removes DIR/NAME.tmp and returns false with errno set. */
FILE *sim_report_open(const char *dir, const char *name);
bool sim_report_commit(FILE *f, const char *dir, const char *name);
/* The two halves for files closed long before they are renamed (the trace): rename
 * DIR/NAME.tmp to DIR/NAME; remove DIR/NAME.tmp. */
bool sim_report_rename(const char *dir, const char *name);
void sim_report_discard(const char *dir, const char *name);

#endif
