/*
 * main.c - feedbench [--db PATH] COMMAND [ARGS]: the subcommand table.
 *
 * Exit status: 0 success, 1 a user error (message on stderr naming what and
 * where), 2 a usage error, 3 an internal failure (out of memory).
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_command commands[] = {
	{"import", "read rated data files into the database", cmd_import},
	{"export", "write data out (feedbench JSONL; pair formats)", cmd_export},
	{"stats", "counts, rating histograms and rater progress", cmd_stats},
	{"search", "PCRE2 search over prompts, responses and rationales", cmd_search},
	{"rubrics", "list the aspects and their scales (or show one rubric)", cmd_rubrics},
	{"annotate", "open the annotation workbench (the TUI)", cmd_annotate},
	{"judge", "rate completions with an LLM judge (OpenAI-compatible, batch files)", cmd_judge},
	{"agreement", "agreement between raters per aspect (kappas, alpha, ...)", cmd_agreement},
	{"conflict", "how much the aspects conflict (Hummer-style, from ratings)", cmd_conflict},
	{"report", "one self-contained HTML report of agreement and conflict", cmd_report},
	{NULL, NULL, NULL},
};

static void usage(FILE *out)
{
	const struct cli_command *c;

	fprintf(out,
		"usage: feedbench [--db PATH] COMMAND [ARGS]\n"
		"\n"
		"A terminal workbench for preference data: rate completions, audit LLM\n"
		"judges, measure aspect conflict, export training pairs.\n"
		"\n"
		"commands:\n");
	for (c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->about);
	fprintf(out,
		"\n"
		"options:\n"
		"  --db PATH   the database (default: $FEEDBENCH_DB, else ./feedbench.db)\n"
		"  --version   print the version\n"
		"  -h, --help  this help; 'feedbench COMMAND --help' for a command\n");
}

int main(int argc, char **argv)
{
	const char *db_path = getenv("FEEDBENCH_DB");
	const struct cli_command *c;
	int i = 1;

	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			db_path = argv[i + 1];
			i += 2;
		} else if (starts_with(argv[i], "--db=")) {
			db_path = argv[i] + 5;
			i++;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("feedbench %s\n", FB_VERSION);
			return 0;
		} else {
			fprintf(stderr, "feedbench: unknown option '%s'\n\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (!db_path || !*db_path)
		db_path = "feedbench.db";
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[i], "help")) {
		usage(stdout);
		return 0;
	}
	for (c = commands; c->name; c++) {
		if (!strcmp(c->name, argv[i])) {
			struct cli cli;

			memset(&cli, 0, sizeof(cli));
			cli.db_path = db_path;
			cli.name = c->name;
			return c->run(&cli, argc - i, argv + i);
		}
	}
	fprintf(stderr, "feedbench: '%s' is not a command (see 'feedbench --help')\n", argv[i]);
	return 2;
}
