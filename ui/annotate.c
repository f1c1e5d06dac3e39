/*
 * annotate.c - `feedbench annotate`: the event loop and the key handlers of
 * the annotation workbench.  Handlers change the session (src/annot.h) and
 * the screen state (wb.h) and return what changed; the loop draws once per
 * turn (ui/draw.c).  KEY_RESIZE is handled here, in the loop, and nowhere
 * else.
 *
 * FEEDBENCH_TRACE=FILE appends a line per handled key to FILE:
 *   key NAME OP TOTAL HANDLER      microseconds from the key read to the end of
 *                                  doupdate(), and of those in the key's handler
 *                                  (the sqlite work)
 * and once:
 *   first-screen MILLISECONDS EPOCH_MICROSECONDS
 * (from entering the command to the first screen, and the wall clock then),
 * for tests/bench/tui.sh.  Off by default; on, it costs one fprintf a key.
 *
 * FEEDBENCH_STATS_DELAY_MS=N makes the statistics screen's worker wait N ms
 * before each computation, so that tests see the screen while it computes.
 *
 * The statistics screen computes in a worker thread (src/statjob.h); while
 * its answer is due (w->audit_wait) the loop wakes every WB_POLL_MS to
 * pick it up, and checks for it after each key.  Otherwise nothing of it is
 * on the path of a key.
 */
#include "wb.h"

#include "cli.h"
#include "term.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WB_POLL_MS 50 /* how often the loop looks for the statistics while they are due */

static volatile sig_atomic_t stop_signal;
static int curses_on;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* fatal() runs this first: the terminal must be usable for its message. */
static void restore_terminal(void)
{
	if (curses_on) {
		endwin();
		curses_on = 0;
	}
}

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void wb_message(struct wb *w, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
	va_end(ap);
	w->msg_error = error;
}

static int fail(struct wb *w, const struct fb_err *err)
{
	wb_message(w, 1, "%s", err->msg);
	return WB_REDRAW;
}

/* ---- $EDITOR ---- */

/*
 * Edit text in $VISUAL or $EDITOR (else vi), the terminal handed over for
 * the time.  Returns 0 with *out (caller frees), -1 with err.
 */
static int run_editor(const char *text, char **out, struct fb_err *err)
{
	const char *tmp = getenv("TMPDIR");
	char *path = xasprintf("%s/feedbench-XXXXXX.txt", tmp && *tmp ? tmp : "/tmp");
	struct sigaction ign, old_int, old_quit;
	size_t len;
	pid_t pid;
	int fd, status = 0, rc = -1;

	*out = NULL;
	fd = mkstemps(path, 4);
	if (fd < 0) {
		fb_error(err, "cannot make a file for the editor in %s: %s", tmp ? tmp : "/tmp",
			 strerror(errno));
		free(path);
		return -1;
	}
	len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len || (len && text[len - 1] != '\n' &&
						    write(fd, "\n", 1) != 1)) {
		fb_error(err, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		goto out;
	}
	close(fd);
	def_prog_mode();
	endwin();
	/* like system(): the editor gets C-c, not us */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		execl("/bin/sh", "sh", "-c", "exec ${VISUAL:-${EDITOR:-vi}} \"$1\"", "sh", path,
		      (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	reset_prog_mode();
	clearok(curscr, TRUE);
	if (pid < 0) {
		fb_error(err, "cannot start the editor: %s", strerror(errno));
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fb_error(err, "the editor failed (%s %d): nothing changed",
			 WIFEXITED(status) ? "exit" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		goto out;
	}
	if (read_file(path, out, &len, err) < 0)
		goto out;
	/* the newline editors add at the end is not part of the text */
	if (len && (*out)[len - 1] == '\n')
		(*out)[--len] = '\0';
	if (len && (*out)[len - 1] == '\r')
		(*out)[--len] = '\0';
	rc = 0;
out:
	unlink(path);
	free(path);
	return rc;
}

/* ---- opening the editor and the questions ---- */

static void open_editor(struct wb *w, size_t comp, int asp)
{
	struct annot *a = w->a;
	char *draft = annot_draft_get(a, comp, asp);
	const char *cur = asp == ANNOT_CRITIQUE ? a->p.comp[comp].crit.text
						: a->p.comp[comp].cell[asp].rationale;

	w->mode = WB_EDIT;
	w->ed_comp = comp;
	w->ed_asp = asp;
	editor_set(&w->ed, draft ? draft : cur);
	w->ed_changed = draft && (!cur || strcmp(draft, cur));
	w->ed_unsaved = 0;
	w->ed_saved_ms = now_ms();
	if (draft)
		wb_message(w, 0, "your unsaved draft is back");
	free(draft);
}

static void ask(struct wb *w, int kind, const char *initial)
{
	w->mode = WB_LINE;
	w->line_kind = kind;
	editor_set(&w->line, initial);
}

/* Save the text being written as a draft when it changed and it is time (or force). */
static void save_draft(struct wb *w, int force)
{
	struct fb_err err;
	int64_t now = now_ms();

	if (w->mode != WB_EDIT || !w->ed_unsaved || (!force && now - w->ed_saved_ms < WB_DRAFT_MS))
		return;
	if (annot_draft_save(w->a, w->ed_comp, w->ed_asp, editor_text(&w->ed), &err) < 0) {
		wb_message(w, 1, "draft NOT saved: %s", err.msg);
		snprintf(w->save, sizeof(w->save), "draft not saved");
		return;
	}
	w->ed_unsaved = 0;
	w->ed_saved_ms = now;
	snprintf(w->save, sizeof(w->save), "draft saved");
}

/* The text of the editor is done: store it. */
static int finish_editor(struct wb *w)
{
	struct annot *a = w->a;
	struct fb_err err;

	if (w->ed_asp == ANNOT_CRITIQUE) {
		const struct annot_crit *c = &a->p.comp[w->ed_comp].crit;
		char score[16] = "";

		free(w->crit_text);
		w->crit_text = xstrdup(editor_text(&w->ed));
		save_draft(w, 1);
		if (c->has_score)
			snprintf(score, sizeof(score), "%g", c->score);
		ask(w, WB_LINE_SCORE, score);
		return WB_REDRAW;
	}
	if (!w->ed_changed) {
		/* nothing typed: nothing to store, but a stale draft goes */
		if (a->p.comp[w->ed_comp].cell[w->ed_asp].has_draft)
			annot_draft_drop(a, w->ed_comp, w->ed_asp, NULL);
		w->mode = WB_MAIN;
		return WB_REDRAW;
	}
	if (annot_set_rationale(a, editor_text(&w->ed), &err) < 0) {
		/* stay in the editor: the text must not be lost */
		save_draft(w, 1);
		return fail(w, &err);
	}
	w->mode = WB_MAIN;
	snprintf(w->save, sizeof(w->save), "saved");
	wb_message(w, 0, "rationale saved");
	return WB_REDRAW;
}

static int cancel_editor(struct wb *w)
{
	struct fb_err err;

	if (annot_draft_drop(w->a, w->ed_comp, w->ed_asp, &err) < 0)
		return fail(w, &err);
	w->mode = WB_MAIN;
	wb_message(w, 0, "not changed");
	return WB_REDRAW;
}

/* ---- the questions' answers ---- */

static int answer(struct wb *w)
{
	struct annot *a = w->a;
	const char *text = editor_text(&w->line);
	struct fb_err err;
	long n;
	int kind = w->line_kind;

	w->mode = WB_MAIN;
	switch (kind) {
	case WB_LINE_GOTO:
		if (annot_goto_id(a, text, &err) < 0)
			return fail(w, &err);
		wb_message(w, 0, "prompt %lld", (long long)a->p.id);
		break;
	case WB_LINE_SEARCH:
		if (!*text) {
			if (annot_search_clear(a, &err) < 0)
				return fail(w, &err);
			wb_message(w, 0, "the whole queue again");
			break;
		}
		n = annot_search(a, text, &err);
		if (n < 0)
			return fail(w, &err);
		if (n == 0)
			wb_message(w, 1, "no prompt of the queue matches /%s/", text);
		else
			wb_message(w, 0, "%ld prompt%s match; / and Enter: the whole queue again", n,
				   n == 1 ? "" : "s");
		break;
	case WB_LINE_FLAG:
	case WB_LINE_SKIP: {
		int skip = kind == WB_LINE_SKIP, on = skip ? a->p.skipped : a->p.flagged;

		if (!*text && on) {
			if (annot_flag(a, skip ? "skip" : "flag", NULL, &err) < 0)
				return fail(w, &err);
			wb_message(w, 0, skip ? "not skipped any more" : "flag removed");
			break;
		}
		if (annot_flag(a, skip ? "skip" : "flag", text, &err) < 0)
			return fail(w, &err);
		if (!skip) {
			wb_message(w, 0, "flagged");
			break;
		}
		n = annot_next_unfinished(a, &err);
		if (n < 0)
			return fail(w, &err);
		wb_message(w, 0, n ? "skipped; here is the next unfinished prompt"
				   : "skipped; no unfinished prompt is left in this queue");
		break;
	}
	case WB_LINE_TYPES:
		if (annot_set_types(a, text, &err) < 0)
			return fail(w, &err);
		wb_message(w, 0, "type ids saved");
		break;
	case WB_LINE_SCORE: {
		int has;
		double score;

		if (annot_parse_score(text, &has, &score, &err) < 0) {
			ask(w, WB_LINE_SCORE, text); /* ask again: the critique waits */
			return fail(w, &err);
		}
		if (annot_set_critique(a, w->ed_comp, w->crit_text, has, score, &err) < 0)
			return fail(w, &err);
		free(w->crit_text);
		w->crit_text = NULL;
		wb_message(w, 0, "critique saved");
		break;
	}
	}
	snprintf(w->save, sizeof(w->save), "saved");
	return WB_REDRAW;
}

static int cancel_question(struct wb *w)
{
	struct annot *a = w->a;
	struct fb_err err;

	w->mode = WB_MAIN;
	if (w->line_kind == WB_LINE_SCORE && w->crit_text) {
		/* the critique's text was written: keep it, with the score it had */
		const struct annot_crit *c = &a->p.comp[w->ed_comp].crit;
		int same = !strcmp(c->text ? c->text : "", w->crit_text);

		if (same)
			annot_draft_drop(a, w->ed_comp, ANNOT_CRITIQUE, NULL);
		else if (annot_set_critique(a, w->ed_comp, w->crit_text, c->has_score, c->score,
					    &err) < 0)
			return fail(w, &err);
		free(w->crit_text);
		w->crit_text = NULL;
		wb_message(w, 0, same ? "not changed" : "critique saved, its score unchanged");
		return WB_REDRAW;
	}
	wb_message(w, 0, "cancelled");
	return WB_REDRAW;
}

/* ---- keys, per mode ---- */

static int is_text_key(int key)
{
	return key >= 0x20 && key < KEYS_NAMED && key != 0x7F && !(key >= 0x80 && key < 0xA0);
}

/* Keys every editor knows (the text and its cursor); 1 when handled. */
static int edit_key(struct editor *e, int key, int op, int width)
{
	switch (key) {
	case KEYS_BACKSPACE:
		editor_backspace(e);
		return 1;
	case KEYS_DELETE:
		editor_delete(e);
		return 1;
	case KEYS_LEFT:
		editor_left(e);
		return 1;
	case KEYS_RIGHT:
		editor_right(e);
		return 1;
	case KEYS_UP:
		editor_up(e, width);
		return 1;
	case KEYS_DOWN:
		editor_down(e, width);
		return 1;
	case KEYS_HOME:
		editor_home(e);
		return 1;
	case KEYS_END:
		editor_end(e);
		return 1;
	}
	if (is_text_key(key) || key == '\t') {
		editor_insert(e, (uint32_t)key);
		return 1;
	}
	if (op == KEYS_OP_LINE_START) {
		editor_home(e);
		return 1;
	}
	if (op == KEYS_OP_LINE_END) {
		editor_end(e);
		return 1;
	}
	return 0;
}

static int key_edit(struct wb *w, int key, int op)
{
	if (key == KEYS_ENTER) {
		editor_insert(&w->ed, '\n');
	} else if (edit_key(&w->ed, key, op, COLS - 2)) {
		/* done below */
	} else if (op == KEYS_OP_EDIT_DONE) {
		return finish_editor(w);
	} else if (op == KEYS_OP_EDIT_CANCEL) {
		return cancel_editor(w);
	} else if (op == KEYS_OP_EDITOR) {
		struct fb_err err;
		char *text;

		if (run_editor(editor_text(&w->ed), &text, &err) < 0)
			return fail(w, &err);
		editor_set(&w->ed, text);
		free(text);
		w->ed.dirty = 1;
	} else if (op == KEYS_OP_SCROLL_UP || op == KEYS_OP_SCROLL_DOWN) {
		/* read the completion while writing about it */
		int page = LINES / 3 > 1 ? LINES / 3 : 1;

		w->comp_top[w->ed_comp] += op == KEYS_OP_SCROLL_UP ? -page : page;
	} else {
		return WB_SAME;
	}
	if (w->ed.dirty) {
		editor_clean(&w->ed);
		w->ed_changed = 1;
		w->ed_unsaved = 1;
		snprintf(w->save, sizeof(w->save), "typing (draft every %ds)", WB_DRAFT_MS / 1000);
	}
	return WB_REDRAW;
}

static int key_line(struct wb *w, int key, int op)
{
	if (key == KEYS_ENTER || op == KEYS_OP_EDIT_DONE)
		return key == 0x1B ? cancel_question(w) : answer(w);
	if (key == 0x1B || op == KEYS_OP_EDIT_CANCEL)
		return cancel_question(w);
	if (key == KEYS_UP || key == KEYS_DOWN)
		return WB_SAME;
	return edit_key(&w->line, key, op, 1 << 20) ? WB_REDRAW : WB_SAME;
}

static int key_help(struct wb *w, int key, int op)
{
	int page = LINES - 2 > 1 ? LINES - 2 : 1;

	if (op == KEYS_OP_DOWN || key == KEYS_DOWN)
		w->help_top++;
	else if (op == KEYS_OP_UP || key == KEYS_UP)
		w->help_top--;
	else if (op == KEYS_OP_SCROLL_DOWN || key == KEYS_PGDN || key == ' ')
		w->help_top += page;
	else if (op == KEYS_OP_SCROLL_UP || key == KEYS_PGUP)
		w->help_top -= page;
	else
		w->mode = WB_MAIN;
	return WB_REDRAW;
}

/* Moving to another prompt: the outcome as a message. */
static int moved(struct wb *w, int rc, const struct fb_err *err, const char *none)
{
	if (rc < 0)
		return fail(w, err);
	if (rc == 0)
		wb_message(w, 0, "%s", none);
	return WB_REDRAW;
}

static int key_main(struct wb *w, int key, int op)
{
	struct annot *a = w->a;
	struct fb_err err;
	int v = keys_op_rating(op), rc, was_finished = a->loaded && a->p.finished;
	char k[32];

	if (v >= 0) {
		if (annot_rate(a, v, &err) < 0)
			return fail(w, &err);
		snprintf(w->save, sizeof(w->save), "saved");
		if (a->p.finished && !was_finished) {
			char k2[32];

			wb_message(w, 0, "finished! %s: next \u00b7 %s: compare",
				   wb_key_of(w, KEYS_OP_NEXT_UNFINISHED, k, sizeof(k)),
				   wb_key_of(w, KEYS_OP_TOGGLE_LLM, k2, sizeof(k2)));
		}
		return WB_REDRAW;
	}
	switch (op) {
	case KEYS_OP_NA:
		if (annot_na(a, &err) < 0)
			return fail(w, &err);
		snprintf(w->save, sizeof(w->save), "saved");
		return WB_REDRAW;
	case KEYS_OP_CLEAR:
		if (annot_clear(a, &err) < 0)
			return fail(w, &err);
		snprintf(w->save, sizeof(w->save), "saved");
		return WB_REDRAW;
	case KEYS_OP_RATIONALE:
		if (!a->loaded || !a->p.ncomp)
			return WB_SAME;
		open_editor(w, a->ccomp, (int)a->casp);
		return WB_REDRAW;
	case KEYS_OP_EDITOR: {
		char *draft, *text;
		const char *cur;

		if (!a->loaded || !a->p.ncomp)
			return WB_SAME;
		cur = a->p.comp[a->ccomp].cell[a->casp].rationale;
		draft = annot_draft_get(a, a->ccomp, (int)a->casp);
		rc = run_editor(draft ? draft : cur ? cur : "", &text, &err);
		free(draft);
		if (rc < 0)
			return fail(w, &err);
		if ((cur && !strcmp(cur, text)) || (!cur && !*text)) {
			wb_message(w, 0, "not changed");
		} else if (annot_set_rationale(a, text, &err) < 0) {
			annot_draft_save(a, a->ccomp, (int)a->casp, text, NULL);
			free(text);
			return fail(w, &err);
		} else {
			wb_message(w, 0, "rationale saved");
		}
		free(text);
		return WB_REDRAW;
	}
	case KEYS_OP_TYPE_IDS: {
		struct sbuf sb = SBUF_INIT;
		const char *t, *p;

		if (!a->loaded || !a->p.ncomp)
			return WB_SAME;
		if (!a->aspect[a->casp]->ntypes) {
			wb_message(w, 1, "%s has no type ids", a->aspect[a->casp]->name);
			return WB_REDRAW;
		}
		t = a->p.comp[a->ccomp].cell[a->casp].types;
		for (p = t; p && *p; p++)
			if (*p >= '0' && *p <= '9')
				sbuf_addf(&sb, "%s%c", sb.len ? " " : "", *p);
		ask(w, WB_LINE_TYPES, sbuf_str(&sb));
		sbuf_release(&sb);
		return WB_REDRAW;
	}
	case KEYS_OP_CRITIQUE:
		if (!a->loaded || !a->p.ncomp)
			return WB_SAME;
		open_editor(w, a->ccomp, ANNOT_CRITIQUE);
		return WB_REDRAW;
	case KEYS_OP_UNDO:
		rc = annot_undo(a, &err);
		if (rc < 0)
			return fail(w, &err);
		wb_message(w, 0, rc ? "undone" : "nothing to undo in this session");
		return WB_REDRAW;
	case KEYS_OP_LEFT:
	case KEYS_OP_RIGHT:
		annot_move(a, op == KEYS_OP_LEFT ? -1 : 1, 0);
		return WB_REDRAW;
	case KEYS_OP_UP:
	case KEYS_OP_DOWN:
		annot_move(a, 0, op == KEYS_OP_UP ? -1 : 1);
		return WB_REDRAW;
	case KEYS_OP_SCROLL_UP:
	case KEYS_OP_SCROLL_DOWN: {
		int page = LINES / 3 > 1 ? LINES / 3 : 1;

		if (!a->loaded || !a->p.ncomp)
			return WB_SAME;
		w->comp_top[a->ccomp] += op == KEYS_OP_SCROLL_UP ? -page : page;
		return WB_REDRAW;
	}
	case KEYS_OP_PROMPT_UP:
	case KEYS_OP_PROMPT_DOWN:
		w->prompt_top += op == KEYS_OP_PROMPT_UP ? -1 : 1;
		return WB_REDRAW;
	case KEYS_OP_ZOOM:
		w->zoom = !w->zoom;
		return WB_REDRAW;
	case KEYS_OP_NEXT_PROMPT:
		return moved(w, annot_next(a, &err), &err, "this is the last prompt of the queue");
	case KEYS_OP_PREV_PROMPT:
		return moved(w, annot_prev(a, &err), &err, "this is the first prompt of the queue");
	case KEYS_OP_NEXT_UNFINISHED:
		return moved(w, annot_next_unfinished(a, &err), &err,
			     "every prompt of this queue is finished or skipped");
	case KEYS_OP_GOTO:
		ask(w, WB_LINE_GOTO, "");
		return WB_REDRAW;
	case KEYS_OP_SEARCH:
		ask(w, WB_LINE_SEARCH, a->search);
		return WB_REDRAW;
	case KEYS_OP_FLAG:
	case KEYS_OP_SKIP:
		if (!a->loaded)
			return WB_SAME;
		ask(w, op == KEYS_OP_FLAG ? WB_LINE_FLAG : WB_LINE_SKIP,
		    op == KEYS_OP_FLAG ? a->p.flag_reason : a->p.skip_reason);
		return WB_REDRAW;
	case KEYS_OP_TOGGLE_LLM:
		if (!a->loaded)
			return WB_SAME;
		if (!a->p.finished) {
			wb_message(w, 1, "blind first: rate every cell, then %s shows the LLM",
				   wb_key_of(w, KEYS_OP_TOGGLE_LLM, k, sizeof(k)));
			return WB_REDRAW;
		}
		if (!annot_llm_ready(a)) {
			wb_message(w, 1, "no LLM has rated this prompt");
			return WB_REDRAW;
		}
		w->show_llm = !w->show_llm;
		wb_message(w, 0, w->show_llm ? "showing %s's ratings beside yours" : "%s hidden",
			   a->p.llm_name);
		return WB_REDRAW;
	case KEYS_OP_STATS:
		if (annot_stats(a, &w->stats, &err) < 0)
			return fail(w, &err);
		w->mode = WB_STATS;
		return WB_REDRAW;
	case KEYS_OP_STATISTICS:
		wb_audit_open(w);
		return WB_REDRAW;
	case KEYS_OP_HELP:
		w->mode = WB_HELP;
		w->help_top = 0;
		return WB_REDRAW;
	case KEYS_OP_QUIT:
		return WB_QUIT;
	}
	if (key == KEYS_CTRL('c'))
		wb_message(w, 0, "%s quits (everything is already saved)",
			   wb_key_of(w, KEYS_OP_QUIT, k, sizeof(k)));
	else
		wb_message(w, 0, "%s shows the keys", wb_key_of(w, KEYS_OP_HELP, k, sizeof(k)));
	return WB_REDRAW;
}

static int handle_key(struct wb *w, int key)
{
	int op = keys_lookup(&w->keys, key);

	if (!wb_big_enough())
		return op == KEYS_OP_QUIT && w->mode != WB_EDIT && w->mode != WB_LINE ? WB_QUIT
										    : WB_SAME;
	switch (w->mode) {
	case WB_EDIT:
		return key_edit(w, key, op);
	case WB_LINE:
		return key_line(w, key, op);
	case WB_HELP:
		return key_help(w, key, op);
	case WB_STATS:
		w->mode = WB_MAIN;
		return WB_REDRAW;
	case WB_AUDIT:
		return wb_audit_key(w, key, op);
	}
	w->msg[0] = '\0';
	return key_main(w, key, op);
}

/* ---- the loop ---- */

static void trace_key(struct wb *w, int key, int64_t t0, int64_t t_handled)
{
	char name[32];
	int op;

	if (!w->trace)
		return;
	op = keys_lookup(&w->keys, key);
	fprintf(w->trace, "key %s %s %lld %lld\n", keys_name(key, name, sizeof(name)),
		op ? keys_op_name(op) : "-", (long long)(now_us() - t0),
		(long long)(t_handled - t0));
	fflush(w->trace);
}

/* Whether the terminal is gone (a hang-up leaves reads failing at once). */
static int input_gone(void)
{
	struct pollfd p = {STDIN_FILENO, POLLIN, 0};

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

static void run(struct wb *w)
{
	for (;;) {
		wint_t wch;
		int rc, key, ch;
		int64_t t0, t_handled;

		if (stop_signal)
			break;
		/* a draft is due even when no key comes, and so are the statistics */
		wtimeout(stdscr, w->audit_wait ? WB_POLL_MS
					       : w->mode == WB_EDIT && w->ed_unsaved ? 500 : 1000);
		rc = wget_wch(stdscr, &wch);
		t0 = now_us();
		if (rc == ERR) {
			int redraw = 0;

			if (input_gone())
				break;
			if (w->audit_wait && wb_audit_poll(w) != WB_SAME)
				redraw = 1;
			if (w->mode == WB_EDIT && w->ed_unsaved) {
				save_draft(w, 0);
				redraw = 1;
			}
			if (redraw) {
				wb_draw(w);
				doupdate();
			}
			continue;
		}
		key = term_key(rc, (wint_t)wch);
		if (key < 0)
			continue;
		if (key == KEYS_RESIZE) {
			/* the one place a resize is handled: curses has the new size; repaint */
			clearok(curscr, TRUE);
			wb_draw(w);
			doupdate();
			continue;
		}
		annot_activity(w->a, now_ms());
		ch = handle_key(w, key);
		if (w->mode == WB_EDIT)
			save_draft(w, 0);
		if (w->audit_wait)
			wb_audit_poll(w); /* drawn below */
		t_handled = now_us();
		if (ch & WB_QUIT)
			break;
		if (w->a->loaded && w->a->p.id != w->shown_pid) {
			/* another prompt: its texts start at the top */
			w->shown_pid = w->a->p.id;
			w->prompt_top = 0;
			memset(w->comp_top, 0, sizeof(w->comp_top));
		}
		wb_draw(w);
		doupdate();
		trace_key(w, key, t0, t_handled);
	}
}

/* ---- the command ---- */

static void usage(void)
{
	const struct annot_queue_def *q;

	printf("usage: feedbench annotate [--rater NAME] [--queue Q] [--dataset NAME]\n"
	       "                          [--source S] [--aspects A,B,...]\n"
	       "\n"
	       "Opens the annotation workbench: rate each completion of a prompt on each aspect,\n"
	       "with the keyboard only ('?' shows the keys and the rubric).  Every change is\n"
	       "saved at once; quit at any moment and come back where you stopped.\n"
	       "\n"
	       "options:\n"
	       "  --rater NAME     who you are (default: $FEEDBENCH_RATER, else $USER)\n"
	       "  --queue Q        which prompts (default: todo):\n");
	for (q = annot_queues; q->name; q++)
		printf("      %-8s %s\n", q->name, q->about);
	printf("  --dataset NAME   only the prompts of this data set\n"
	       "  --source S       only the prompts of this source (e.g. evol_instruct)\n"
	       "  --aspects LIST   the aspects to rate, comma-separated (default: those the\n"
	       "                   database holds ratings for; 'feedbench rubrics' lists them)\n"
	       "\n"
	       "environment:\n"
	       "  NO_COLOR         no colours\n"
	       "  EDITOR, VISUAL   the editor for rationales (the 'editor' key)\n"
	       "  FEEDBENCH_TRACE  append per-key timings to this file\n"
	       "\n"
	       "keys: $XDG_CONFIG_HOME/feedbench/keys.conf remaps them (bind KEY OPERATION).\n");
}

static char **split_list(const char *s, size_t *n)
{
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	while (*s) {
		size_t len = strcspn(s, ", ");

		if (len) {
			xgrow((void **)&v, &cap, *n + 1, sizeof(*v));
			v[(*n)++] = xstrndup(s, len);
		}
		s += len;
		s += strspn(s, ", ");
	}
	return v;
}

static void start_curses(struct wb *w)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (!getenv("ESCDELAY"))
		set_escdelay(25);
	fatal_set_cleanup(restore_terminal);
	initscr();
	curses_on = 1;
	raw(); /* C-s, C-q, C-c reach us as keys */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	meta(stdscr, TRUE);
	/* every key gets its screen: what the annotator sees is what was saved */
	typeahead(-1);
	wb_colors(w);
	curs_set(0);
}

int cmd_annotate(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"rater", required_argument, NULL, 'r'},
		{"queue", required_argument, NULL, 'q'},
		{"dataset", required_argument, NULL, 'd'},
		{"source", required_argument, NULL, 's'},
		{"aspects", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int64_t t_start = now_us();
	struct annot_opts o;
	struct wb w;
	struct fb_err err;
	char **aspects = NULL;
	size_t naspects = 0, i;
	const char *trace, *delay;
	int c, rc = 0;

	memset(&o, 0, sizeof(o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o.rater = optarg;
			break;
		case 'q':
			o.queue = optarg;
			break;
		case 'd':
			o.dataset = optarg;
			break;
		case 's':
			o.source = optarg;
			break;
		case 'a':
			for (i = 0; i < naspects; i++)
				free(aspects[i]);
			free(aspects);
			aspects = split_list(optarg, &naspects);
			break;
		case 'h':
			usage();
			return 0;
		default:
			if (optopt)
				return cli_usage(cli, "option -%c is unknown or needs a value", optopt);
			return cli_usage(cli, "option '%s' is unknown or needs a value",
					 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (!o.rater)
		o.rater = getenv("FEEDBENCH_RATER");
	if (!o.rater || !*o.rater)
		o.rater = getenv("USER");
	if (!o.rater || !*o.rater)
		return cli_usage(cli, "who is rating? give --rater NAME");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return cli_fail(cli, "the workbench needs a terminal (stdin and stdout)");
	if (text_locale_init() < 0)
		return cli_fail(cli, "no UTF-8 locale is available (set LANG, e.g. C.UTF-8)");
	o.aspects = (const char *const *)aspects;
	o.naspects = naspects;

	memset(&w, 0, sizeof(w));
	keys_init(&w.keys);
	if (keys_load_config(&w.keys, &err) < 0) {
		/* bad lines are reported, the good ones apply: the session still opens */
		const char *at = strstr(err.msg, "keys.conf");

		wb_message(&w, 1, "%s", at ? at : err.msg);
	}
	if (cli_open(cli, DB_INTERACTIVE)) {
		rc = 1;
		goto out_keys;
	}
	if (annot_open(&w.a, cli->db, &o, &err) < 0) {
		rc = cli_fail(cli, "%s", err.msg);
		goto out_db;
	}
	delay = getenv("FEEDBENCH_STATS_DELAY_MS");
	if (delay && *delay) {
		long ms;

		if (parse_long(delay, &ms) == 0 && ms > 0 && ms < 600000)
			w.audit_delay_ms = (int)ms;
	}
	trace = getenv("FEEDBENCH_TRACE");
	if (trace && *trace && !(w.trace = fopen(trace, "a"))) {
		rc = cli_fail(cli, "cannot open %s: %s", trace, strerror(errno));
		goto out_annot;
	}
	text_init(&w.prompt);
	for (i = 0; i < ANNOT_MAX_COMPLETIONS; i++)
		text_init(&w.comp[i]);
	editor_init(&w.ed, 1);
	editor_init(&w.line, 0);
	snprintf(w.save, sizeof(w.save), "saved");
	if (!w.msg[0]) {
		char k1[32], k2[32];

		if (w.a->queue_by && strcmp(w.a->queue_by, w.a->rater))
			wb_message(&w, 0, "by %s's ratings: you have none here yet", w.a->queue_by);
		else if (w.a->queue_by)
			wb_message(&w, 0, "most conflicted first, by your ratings");
		else if (w.a->resumed)
			wb_message(&w, 0, "welcome back: this is where you stopped");
		else
			wb_message(&w, 0, "digits rate \u00b7 %s: rationale \u00b7 %s: quit",
				   wb_key_of(&w, KEYS_OP_RATIONALE, k1, sizeof(k1)),
				   wb_key_of(&w, KEYS_OP_QUIT, k2, sizeof(k2)));
	}
	w.shown_pid = w.a->loaded ? w.a->p.id : 0;

	start_curses(&w);
	annot_activity(w.a, now_ms()); /* reading the first prompt is work too */
	wb_draw(&w);
	doupdate();
	if (w.trace) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		fprintf(w.trace, "first-screen %.3f %lld\n", (double)(now_us() - t_start) / 1000.0,
			(long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
		fflush(w.trace);
	}
	run(&w);
	if (w.mode == WB_EDIT && w.ed_unsaved)
		save_draft(&w, 1); /* quitting or killed by a signal: keep what was typed */
	restore_terminal();
	fatal_set_cleanup(NULL);
	wb_audit_release(&w); /* waits for a computation under way: before the db goes */
	if (annot_flush(w.a, &err) < 0)
		fprintf(stderr, "feedbench annotate: the time on the last prompt was not saved: %s\n",
			err.msg);

	editor_release(&w.ed);
	editor_release(&w.line);
	text_release(&w.prompt);
	for (i = 0; i < ANNOT_MAX_COMPLETIONS; i++)
		text_release(&w.comp[i]);
	free(w.crit_text);
	if (w.trace)
		fclose(w.trace);
out_annot:
	annot_close(w.a);
out_db:
	cli_close(cli);
out_keys:
	keys_release(&w.keys);
	for (i = 0; i < naspects; i++)
		free(aspects[i]);
	free(aspects);
	return rc;
}
