/*
 * cli.h - what every subcommand gets, and the helpers they share.
 *
 * A command is `int cmd_NAME(struct cli *cli, int argc, char **argv)` with
 * argv[0] the command name; it returns the process exit status (0, 1 user
 * error, 2 usage error).  cli_open loads the rubrics and opens the database;
 * cli_close releases both.
 */
#ifndef FB_CLI_H
#define FB_CLI_H

#include "db.h"
#include "rubric.h"
#include "tab.h"

struct cli {
	const char *db_path;
	const char *name; /* the command */
	struct rubric_set *rubrics;
	struct db *db;
};

struct cli_command {
	const char *name;
	const char *about;
	int (*run)(struct cli *cli, int argc, char **argv);
};

/* 0, or 1 after printing the error. */
int cli_open(struct cli *cli, enum db_mode mode);
void cli_close(struct cli *cli);

/* Print "feedbench CMD: msg" to stderr; returns 1 (the user-error status). */
int cli_fail(struct cli *cli, const char *fmt, ...) FB_PRINTF(2, 3);
/* Print a usage error and the command's help hint; returns 2. */
int cli_usage(struct cli *cli, const char *fmt, ...) FB_PRINTF(2, 3);

int cmd_import(struct cli *cli, int argc, char **argv);
int cmd_export(struct cli *cli, int argc, char **argv);
int cmd_stats(struct cli *cli, int argc, char **argv);
int cmd_search(struct cli *cli, int argc, char **argv);
int cmd_rubrics(struct cli *cli, int argc, char **argv);
int cmd_annotate(struct cli *cli, int argc, char **argv); /* ui/annotate.c */
int cmd_judge(struct cli *cli, int argc, char **argv);    /* src/judge.c */
int cmd_agreement(struct cli *cli, int argc, char **argv); /* src/audit.c */
int cmd_conflict(struct cli *cli, int argc, char **argv);  /* src/audit.c */
int cmd_report(struct cli *cli, int argc, char **argv);    /* src/report.c */

#endif
