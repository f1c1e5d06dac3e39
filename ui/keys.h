/*
 * keys.h - keys map to operations; operations have a name, a section, default
 * keys and a help text, all in the one table KEYS_OPS below.  No curses:
 * the curses side translates what get_wch() returns into the key codes
 * defined here (term_key() in ui/term.c), and screens act on operations.
 *
 * Key codes (int):
 *   0 .. 0x10FFFF       a character, including control characters
 *                       (C-n is 0x0E, Tab '\t', Esc 0x1B, Space ' ')
 *   KEYS_UP ...         named keys, above Unicode (enum keys_named)
 *   KEYS_F(n)           function key Fn, 1 <= n <= 63
 *   KEYS_META | key     the key with Alt/Meta held
 * Enter and Backspace are always the named keys KEYS_ENTER and
 * KEYS_BACKSPACE, whatever byte the terminal sends; the names C-m and C-j
 * mean Enter, C-h means Backspace, C-i Tab, C-[ Esc.
 *
 * Key names (config file, help screen): a single character ("a", "?",
 * "é"), "C-x" (control), "M-x" (meta), and Up Down Left Right Home End
 * PgUp PgDn Insert Delete Backspace Enter Tab S-Tab Esc Space F1..F63
 * (case-insensitive; also PageUp PageDown Ins Del Return Escape BTab).
 *
 * Remapping: keys.conf in $XDG_CONFIG_HOME/feedbench/ (else
 * ~/.config/feedbench/), one directive a line:
 *   # a comment (whole lines only; blank lines are ignored)
 *   bind KEY OPERATION     KEY now does OPERATION (and nothing else)
 *   unbind KEY             KEY does nothing
 * A key does one operation; an operation may have several keys.
 *
 * Ownership: a struct keys_map owns its bindings (keys_release frees them);
 * op names and help texts are static strings.  Allocation failure is fatal.
 */
#ifndef FB_KEYS_H
#define FB_KEYS_H

#include <stddef.h>

#include "util.h"

#define KEYS_NAMED 0x200000
#define KEYS_META 0x400000

enum keys_named {
	KEYS_UP = KEYS_NAMED + 1,
	KEYS_DOWN,
	KEYS_LEFT,
	KEYS_RIGHT,
	KEYS_HOME,
	KEYS_END,
	KEYS_PGUP,
	KEYS_PGDN,
	KEYS_INSERT,
	KEYS_DELETE,
	KEYS_BACKSPACE,
	KEYS_ENTER,
	KEYS_BTAB,
	KEYS_RESIZE, /* not bindable: the event loop handles it in one place */
	KEYS_F0 = KEYS_NAMED + 0x100,
};
#define KEYS_F(n) (KEYS_F0 + (n))
#define KEYS_FMAX 63
#define KEYS_CTRL(c) ((c) & 0x1F)

/*
 * The operations.  X(ID, "name", "Section", "default keys", "help")
 *   ID            KEYS_OP_ID in enum keys_op
 *   name          what keys.conf calls it
 *   Section       the heading it is listed under on the help screen
 *   default keys  key names separated by spaces
 *   help          one line for the help screen; operations in a row with
 *                 the same help text are shown as one line ("0-9")
 */
#define KEYS_RATE_HELP "Rate the cursor cell and move to the next cell"
#define KEYS_OPS(X)                                                                         \
	X(RATE_0, "rate-0", "Rating", "0", KEYS_RATE_HELP)                                  \
	X(RATE_1, "rate-1", "Rating", "1", KEYS_RATE_HELP)                                  \
	X(RATE_2, "rate-2", "Rating", "2", KEYS_RATE_HELP)                                  \
	X(RATE_3, "rate-3", "Rating", "3", KEYS_RATE_HELP)                                  \
	X(RATE_4, "rate-4", "Rating", "4", KEYS_RATE_HELP)                                  \
	X(RATE_5, "rate-5", "Rating", "5", KEYS_RATE_HELP)                                  \
	X(RATE_6, "rate-6", "Rating", "6", KEYS_RATE_HELP)                                  \
	X(RATE_7, "rate-7", "Rating", "7", KEYS_RATE_HELP)                                  \
	X(RATE_8, "rate-8", "Rating", "8", KEYS_RATE_HELP)                                  \
	X(RATE_9, "rate-9", "Rating", "9", KEYS_RATE_HELP)                                  \
	X(NA, "na", "Rating", "n", "Mark the cursor cell N/A (where the aspect allows it)") \
	X(CLEAR, "clear", "Rating", "x Delete", "Clear the cursor cell")                    \
	X(RATIONALE, "rationale", "Rating", "Enter", "Write the rationale of the cursor cell") \
	X(EDITOR, "editor", "Rating", "e C-o", "Write the rationale in $EDITOR (C-o: from the editor)") \
	X(TYPE_IDS, "type-ids", "Rating", "t", "Set the type ids of the cursor cell")       \
	X(CRITIQUE, "critique", "Rating", "c", "Critique the completion: feedback and a score") \
	X(UNDO, "undo", "Rating", "u", "Undo the last change")                              \
	X(LEFT, "left", "Moving", "Left h", "Previous completion")                          \
	X(DOWN, "down", "Moving", "Down j", "Next aspect")                                  \
	X(UP, "up", "Moving", "Up k", "Previous aspect")                                    \
	X(RIGHT, "right", "Moving", "Right l", "Next completion")                           \
	X(SCROLL_UP, "scroll-up", "Moving", "PgUp C-b", "Scroll the completion up a page")  \
	X(SCROLL_DOWN, "scroll-down", "Moving", "PgDn C-f", "Scroll the completion down a page") \
	X(PROMPT_UP, "prompt-up", "Moving", "K", "Scroll the prompt up")                    \
	X(PROMPT_DOWN, "prompt-down", "Moving", "J", "Scroll the prompt down")              \
	X(ZOOM, "zoom", "Moving", "z", "Zoom the cursor's completion to the full screen")   \
	X(NEXT_PROMPT, "next-prompt", "Prompts", "] C-n", "Next prompt")                    \
	X(PREV_PROMPT, "prev-prompt", "Prompts", "[ C-p", "Previous prompt")                \
	X(NEXT_UNFINISHED, "next-unfinished", "Prompts", "Space", "Next unfinished prompt") \
	X(GOTO, "goto", "Prompts", "g", "Go to a prompt id")                                \
	X(SEARCH, "search", "Prompts", "/", "Search the queue (PCRE2; empty: whole queue)") \
	X(FLAG, "flag", "Prompts", "f", "Flag the prompt, with a reason (empty: unflag)")   \
	X(SKIP, "skip", "Prompts", "s", "Skip the prompt, with a reason (empty: unskip)")   \
	X(TOGGLE_LLM, "toggle-llm", "View", "L", "Compare with the LLM's ratings (finished prompts)") \
	X(STATS, "stats", "View", "S", "Your totals: prompts, ratings, time")               \
	X(STATISTICS, "statistics", "View", "A", "Statistics: aspect conflict, histograms, LLM agreement") \
	X(HELP, "help", "View", "? F1", "This help")                                        \
	X(QUIT, "quit", "View", "q", "Quit (everything is already saved)")                  \
	X(EDIT_DONE, "edit-done", "Writing", "C-s Esc", "Save the text and close (Enter: new line)") \
	X(EDIT_CANCEL, "edit-cancel", "Writing", "C-g", "Close, dropping the changes")     \
	X(LINE_START, "line-start", "Writing", "Home C-a", "Start of the line")            \
	X(LINE_END, "line-end", "Writing", "End C-e", "End of the line")

enum keys_op {
	KEYS_OP_NONE = 0,
#define KEYS_X_ENUM(id, name, section, keys, help) KEYS_OP_##id,
	KEYS_OPS(KEYS_X_ENUM)
#undef KEYS_X_ENUM
	KEYS_OP_COUNT
};

/* The rating an op sets: 0..9 for KEYS_OP_RATE_0..9, else -1. */
int keys_op_rating(int op);
/* Static strings; NULL for an op out of range. */
const char *keys_op_name(int op);
const char *keys_op_section(int op);
const char *keys_op_help(int op);
/* The op called name, or KEYS_OP_NONE. */
int keys_op_find(const char *name);

/* A key name to its code; -1 when it names no key. */
int keys_parse(const char *name);
/* The name of key into buf (at least 32 bytes; "?" for no key); returns buf. */
char *keys_name(int key, char *buf, size_t size);

struct keys_bind {
	int key, op;
};

struct keys_map {
	struct keys_bind *bind; /* in the order bound; owned */
	size_t n, cap;
};

/* The default bindings from KEYS_OPS. */
void keys_init(struct keys_map *m);
void keys_release(struct keys_map *m);
/* The op of key, or KEYS_OP_NONE. */
int keys_lookup(const struct keys_map *m, int key);
/* key now does op (KEYS_OP_NONE: nothing). */
void keys_bind(struct keys_map *m, int key, int op);
/* Up to max keys bound to op, in the order bound, into keys; returns how many there are. */
size_t keys_of(const struct keys_map *m, int op, int *keys, size_t max);

/*
 * Apply config text (see above) to m; fname names it in messages.  Good
 * lines are applied even when others are bad.  Returns 0, or -1 with err
 * holding "FNAME:LINE: reason" for the first bad line (and how many more
 * there were).  If the text leaves quit or help without a key, their
 * default keys are restored and that is reported as an error too.
 */
int keys_load_text(struct keys_map *m, const char *text, size_t len, const char *fname,
		   struct fb_err *err);
/* Same from a file; a file that cannot be read is an error. */
int keys_load_file(struct keys_map *m, const char *path, struct fb_err *err);
/*
 * The config path: $XDG_CONFIG_HOME/feedbench/keys.conf when that variable
 * is an absolute path, else $HOME/.config/feedbench/keys.conf; NULL when
 * neither is set.  Caller frees.
 */
char *keys_config_path(void);
/* keys_load_file() on keys_config_path() when that file exists; 0 when it does not. */
int keys_load_config(struct keys_map *m, struct fb_err *err);

/*
 * The help screen's key map: one heading per section, then a line per
 * operation "  KEYS  help", keys as bound now ("(unbound)" when none).
 * Appends UTF-8 lines ending in '\n' to out.
 */
void keys_help(const struct keys_map *m, struct sbuf *out);

#endif
