/* sim_error.h — the one error value of kcsim's input layers: a finished, printable message.
 * Input errors read `FILE:LINE:COLUMN: what is wrong; what was expected` (or
 * `kcsim: OPTION: ...` for arguments); the caller prints msg and exits 2. */
#ifndef SIM_ERROR_H
#define SIM_ERROR_H

struct sim_error {
	char msg[1024];
};

#endif
