/* sim_explore_pool.c — explore's worker processes. Each worker reads fixed-size tasks from
 * its own pipe and writes fixed-size answers to another; the parent hands a new task to
 * whichever worker answers, so slow seeds never hold up the rest. Processes rather than
 * threads so that a run that aborts (an assertion in the simulator, which exploration is
 * meant to find) costs one worker, reported as a "crash" of that seed, not the sweep.
 * Which worker ran a task never shows in any output. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim_explore_int.h"

_Static_assert(sizeof(struct sim_xresult) <= 4096 && sizeof(struct sim_xtask) <= 4096,
	       "a task or an answer must fit one atomic pipe write (PIPE_BUF >= 4096 on Linux)");

struct worker {
	pid_t pid;
	int task_fd, answer_fd;     /* parent's ends; -1 closed */
	bool busy;
	struct sim_xtask task;
};

struct sim_xpool {
	unsigned n;
	struct worker *w;
	sim_xwork_fn work;
	void *ctx;
	struct sigaction old_pipe;
};

bool sim_xread_all(int fd, void *buf, size_t size)
{
	char *p = buf;
	while (size > 0) {
		ssize_t k = read(fd, p, size);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		size -= (size_t)k;
	}
	return true;
}

bool sim_xwrite_all(int fd, const void *buf, size_t size)
{
	const char *p = buf;
	while (size > 0) {
		ssize_t k = write(fd, p, size);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		size -= (size_t)k;
	}
	return true;
}

void sim_xoutcome_crash(struct sim_xoutcome *o, int status)
{
	memset(o, 0, sizeof *o);
	snprintf(o->invariant, sizeof o->invariant, "crash");
	snprintf(o->event, sizeof o->event, "-");
	if (WIFSIGNALED(status))
		snprintf(o->detail, sizeof o->detail, "the run was killed by signal %d", WTERMSIG(status));
	else
		snprintf(o->detail, sizeof o->detail, "the run exited with status %d",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void worker_loop(struct sim_xpool *pool, unsigned slot, int task_fd, int answer_fd)
{
	struct sim_xtask t;
	while (sim_xread_all(task_fd, &t, sizeof t)) {
		struct sim_xresult *r = calloc(1, sizeof *r);
		if (!r)
			_exit(3);
		r->seed = t.seed;
		r->kind = t.kind;
		pool->work(pool->ctx, slot, &t, r);
		bool ok = sim_xwrite_all(answer_fd, r, sizeof *r);
		free(r);
		if (!ok)
			break;
	}
	_exit(0);
}

static void spawn(struct sim_xpool *pool, unsigned slot)
{
	int to[2], from[2];
	if (pipe(to) != 0 || pipe(from) != 0) {
		fprintf(stderr, "kcsim: explore: pipe: %s\n", strerror(errno));
		exit(3);
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "kcsim: explore: fork: %s\n", strerror(errno));
		exit(3);
	}
	if (pid == 0) {
		/* a worker holding another's pipe ends would hide that worker's death */
		for (unsigned i = 0; i < pool->n; i++) {
			close_fd(&pool->w[i].task_fd);
			close_fd(&pool->w[i].answer_fd);
		}
		close(to[1]);
		close(from[0]);
		signal(SIGPIPE, SIG_DFL);
		worker_loop(pool, slot, to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	struct worker *w = &pool->w[slot];
	w->pid = pid;
	w->task_fd = to[1];
	w->answer_fd = from[0];
	w->busy = false;
}

struct sim_xpool *sim_xpool_new(unsigned n, sim_xwork_fn work, void *ctx)
{
	struct sim_xpool *pool = calloc(1, sizeof *pool);
	struct worker *w = calloc(n, sizeof *w);
	if (!pool || !w)
		exit(3);
	pool->n = n;
	pool->w = w;
	pool->work = work;
	pool->ctx = ctx;
	for (unsigned i = 0; i < n; i++)
		w[i].task_fd = w[i].answer_fd = -1;
	/* a task written to a worker that just died must fail with EPIPE, not kill the parent */
	struct sigaction ign;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &pool->old_pipe);
	for (unsigned i = 0; i < n; i++)
		spawn(pool, i);
	return pool;
}

/* The worker in slot died: reap it, answer its task as a crash, start another. */
static void replace(struct sim_xpool *pool, unsigned slot, sim_xdone_fn done, void *ctx)
{
	struct worker *w = &pool->w[slot];
	close_fd(&w->task_fd);
	close_fd(&w->answer_fd);
	int status = 0;
	while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (w->busy) {
		struct sim_xresult *r = calloc(1, sizeof *r);
		if (!r)
			exit(3);
		r->seed = w->task.seed;
		r->kind = w->task.kind;
		sim_xoutcome_crash(&r->o, status);
		r->first = r->o;
		r->needs_inject = -1; /* unknown: the control run never happened */
		w->busy = false;
		done(ctx, &w->task, r);
		free(r);
	}
	spawn(pool, slot);
}

/* Gives worker slot its next task, if there is one. */
static void feed(struct sim_xpool *pool, unsigned slot, sim_xnext_fn next, sim_xdone_fn done, void *ctx)
{
	struct worker *w = &pool->w[slot];
	while (!w->busy && next(ctx, &w->task)) {
		w->busy = true;
		if (sim_xwrite_all(w->task_fd, &w->task, sizeof w->task))
			return;
		replace(pool, slot, done, ctx);
	}
}

void sim_xpool_run(struct sim_xpool *pool, sim_xnext_fn next, sim_xdone_fn done, void (*tick)(void *ctx),
		   void *ctx)
{
	struct pollfd *fds = calloc(pool->n, sizeof *fds);
	unsigned *slot_of = calloc(pool->n, sizeof *slot_of);
	struct sim_xresult *r = calloc(1, sizeof *r);
	if (!fds || !slot_of || !r)
		exit(3);
	for (unsigned i = 0; i < pool->n; i++)
		feed(pool, i, next, done, ctx);
	for (;;) {
		nfds_t n = 0;
		for (unsigned i = 0; i < pool->n; i++)
			if (pool->w[i].busy) {
				fds[n] = (struct pollfd){.fd = pool->w[i].answer_fd, .events = POLLIN};
				slot_of[n++] = i;
			}
		if (n == 0)
			break;
		if (poll(fds, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "kcsim: explore: poll: %s\n", strerror(errno));
			exit(3);
		}
		for (nfds_t k = 0; k < n; k++) {
			if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			unsigned i = slot_of[k];
			struct worker *w = &pool->w[i];
			if (sim_xread_all(w->answer_fd, r, sizeof *r)) {
				w->busy = false;
				done(ctx, &w->task, r);
			} else {
				replace(pool, i, done, ctx);
			}
			if (tick)
				tick(ctx);
			feed(pool, i, next, done, ctx);
		}
	}
	free(fds);
	free(slot_of);
	free(r);
}

void sim_xpool_free(struct sim_xpool *pool)
{
	for (unsigned i = 0; i < pool->n; i++)
		close_fd(&pool->w[i].task_fd);
	for (unsigned i = 0; i < pool->n; i++) {
		close_fd(&pool->w[i].answer_fd);
		while (waitpid(pool->w[i].pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	sigaction(SIGPIPE, &pool->old_pipe, NULL);
	free(pool->w);
	free(pool);
}
