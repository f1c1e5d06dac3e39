/* cli.c - the data commands: import, export, stats, search, rubrics. */
#include "cli.h"

#include "export.h"
#include "import.h"
#include "pairs.h"
#include "search.h"
#include "stats.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_fail(struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "feedbench %s: ", cli->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int cli_usage(struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "feedbench %s: ", cli->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see 'feedbench %s --help')\n", cli->name);
	return 2;
}

int cli_open(struct cli *cli, enum db_mode mode)
{
	struct fb_err err;

	if (rubric_set_load(&cli->rubrics, &err) < 0)
		return cli_fail(cli, "%s", err.msg);
	if (db_open(&cli->db, cli->db_path, cli->rubrics, mode, &err) < 0) {
		rubric_set_free(cli->rubrics);
		cli->rubrics = NULL;
		return cli_fail(cli, "%s", err.msg);
	}
	return 0;
}

void cli_close(struct cli *cli)
{
	db_close(cli->db);
	rubric_set_free(cli->rubrics);
	cli->db = NULL;
	cli->rubrics = NULL;
}

/* getopt_long over argv (argv[0] is the command); resets getopt state. */
#define CLI_GETOPT_RESET() (optind = 1, opterr = 0)

static int bad_option(struct cli *cli, char **argv)
{
	if (optopt)
		return cli_usage(cli, "option -%c is unknown or needs a value", optopt);
	return cli_usage(cli, "option '%s' is unknown or needs a value", argv[optind - 1]);
}

/* ---- import ---- */

static void import_help(void)
{
	const struct import_format *f;

	printf("usage: feedbench import [--format F] [--dataset NAME] [--rater NAME\n"
	       "                        [--rater-kind human|llm]] [--strict] [--quiet] FILE...\n"
	       "\n"
	       "Reads JSONL files or JSON arrays (streamed; '-' is stdin).  The format is\n"
	       "detected from the first record unless --format says it.  Importing the same\n"
	       "file twice adds nothing; a prompt met again (same text) is the same prompt,\n"
	       "and its new ratings are added: per-rater files build one multi-rater set.\n"
	       "\n"
	       "Bad records are reported as FILE:LINE[:COL]: reason and skipped (exit 1);\n"
	       "with --strict nothing is imported when any record is bad.\n"
	       "\n"
	       "formats:\n");
	for (f = import_formats; f->name; f++)
		printf("  %-14s %s%s%s%s\n", f->name, f->about, f->rater ? " (rater: " : "",
		       f->rater ? f->rater : "", f->rater ? ")" : "");
	printf("\noptions:\n"
	       "  --dataset NAME   data set to add the prompts to (default: file name)\n"
	       "  --rater NAME     whose ratings these are (default: the format's)\n"
	       "  --rater-kind K   human or llm, for a new rater (default: human)\n"
	       "  --progress       show the progress bar even when stderr is not a terminal\n"
	       "\n"
	       "example:\n"
	       "  feedbench import --dataset uf ultrafeedback.jsonl\n"
	       "  feedbench import --rater alice alice.jsonl\n");
}

int cmd_import(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"dataset", required_argument, NULL, 'd'},
		{"rater", required_argument, NULL, 'r'},
		{"rater-kind", required_argument, NULL, 'k'},
		{"strict", no_argument, NULL, 's'},
		{"quiet", no_argument, NULL, 'q'},
		{"progress", no_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct import_opts o;
	struct fb_err err;
	int c, rc;

	memset(&o, 0, sizeof(o));
	o.progress = -1;
	CLI_GETOPT_RESET();
	while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o.format = optarg;
			if (!import_format_find(optarg))
				return cli_usage(cli, "unknown format '%s'", optarg);
			break;
		case 'd':
			o.dataset = optarg;
			break;
		case 'r':
			o.rater = optarg;
			break;
		case 'k':
			if (strcmp(optarg, "human") && strcmp(optarg, "llm"))
				return cli_usage(cli, "--rater-kind must be human or llm");
			o.rater_kind = optarg;
			break;
		case 's':
			o.strict = 1;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'p':
			o.progress = 1;
			break;
		case 'h':
			import_help();
			return 0;
		default:
			return bad_option(cli, argv);
		}
	}
	if (o.rater_kind && !o.rater)
		return cli_usage(cli, "--rater-kind goes with --rater");
	if (optind >= argc)
		return cli_usage(cli, "name at least one FILE ('-' for stdin)");
	if (cli_open(cli, DB_BULK))
		return 1;
	rc = import_files(cli->db, argv + optind, argc - optind, &o, NULL, &err);
	cli_close(cli);
	if (rc < 0)
		return cli_fail(cli, "%s", err.msg);
	return rc;
}

/* ---- export ---- */

static void export_help(void)
{
	const struct export_format *f;
	const struct pairs_strategy *st;
	const struct pairs_score_kind *sk;
	const struct pairs_preset *pr;

	printf("usage: feedbench export --format F [--preset P] [--strategy S] [--score SC]\n"
	       "         [--rater R | --consensus R1,R2,...] [--min-margin X] [--ties keep|drop]\n"
	       "         [--exclude-source S]... [--exclude-prompts FILE] [--exclude-flagged]\n"
	       "         [--only-agreed] [--easy-to-hard] [--test-size N|F] [--seed N]\n"
	       "         [--dataset NAME] [--source S] [-o FILE]\n"
	       "\n"
	       "Turns ratings into chosen/rejected pairs for DPO, ORPO, KTO and reward-model\n"
	       "training, or dumps them.  Every pair line carries a \"provenance\" object; with\n"
	       "-o FILE a manifest STEM.manifest.json (STEM = FILE without its extension) lists\n"
	       "the options, a digest of the input and the counts (prompts seen, pairs written,\n"
	       "prompts dropped per reason).  Files are written to a temporary name and renamed\n"
	       "when complete; the same command gives the same bytes.\n"
	       "\n"
	       "formats:\n");
	for (f = export_formats; f->name; f++)
		printf("  %-13s %s\n", f->name, f->about);
	printf("\npresets (drop truthful_qa; fix strategy, score and ties; imply the format):\n");
	for (pr = pairs_presets; pr->name; pr++)
		printf("  %-13s %s\n", pr->name, pr->about);
	printf("\nstrategies (default best-random):\n");
	for (st = pairs_strategies; st->name; st++)
		printf("  %-13s %s\n", st->name, st->about);
	printf("\nscores (default overall; each rater scored alone, then averaged):\n");
	for (sk = pairs_score_kinds; sk->name; sk++)
		printf("  %-13s %s\n", sk->name, sk->about);
	printf("\noptions:\n"
	       "  --rater R          whose scores (default: the only rater that has some)\n"
	       "  --consensus R,..   the mean of these raters' scores (each must have scored)\n"
	       "  --min-margin X     keep a pair only when chosen - rejected >= X\n"
	       "  --ties keep|drop   pair equal scores or not (default drop)\n"
	       "  --exclude-source S drop prompts of this source (repeatable)\n"
	       "  --exclude-prompts FILE  drop prompts listed one a line, or as JSONL with a\n"
	       "                     \"prompt\" field; compared after white space is collapsed\n"
	       "  --exclude-flagged  drop prompts any rater flagged\n"
	       "  --only-agreed      keep a pair only when every --consensus rater orders it so\n"
	       "  --easy-to-hard     order the pairs by margin, largest first, across the file\n"
	       "  --test-size N|F    split by prompt into STEM.train.EXT and STEM.test.EXT\n"
	       "  --seed N           for the random choices and the split (default 42)\n"
	       "  --dataset NAME, --source S   which prompts\n"
	       "  --progress         show the progress bar even when stderr is not a terminal\n"
	       "\n"
	       "examples:\n"
	       "  feedbench export --preset h4 --test-size 2000 -o uf-binarized.jsonl\n"
	       "  feedbench export --format trl --strategy all-pairs --min-margin 1 -o p.jsonl\n"
	       "  feedbench export --format kto --consensus gpt-4,alice --only-agreed -o k.jsonl\n"
	       "  feedbench export --format csv -o ratings.csv\n"
	       "  feedbench export --format feedbench -o backup.jsonl\n");
}

int cmd_export(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"dataset", required_argument, NULL, 'd'},
		{"source", required_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		{"preset", required_argument, NULL, 'P'},
		{"strategy", required_argument, NULL, 'S'},
		{"score", required_argument, NULL, 'C'},
		{"rater", required_argument, NULL, 'r'},
		{"consensus", required_argument, NULL, 'c'},
		{"min-margin", required_argument, NULL, 'm'},
		{"ties", required_argument, NULL, 't'},
		{"exclude-source", required_argument, NULL, 'x'},
		{"exclude-prompts", required_argument, NULL, 'X'},
		{"exclude-flagged", no_argument, NULL, 'F'},
		{"only-agreed", no_argument, NULL, 'a'},
		{"easy-to-hard", no_argument, NULL, 'e'},
		{"test-size", required_argument, NULL, 'T'},
		{"seed", required_argument, NULL, 'R'},
		{"progress", no_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct export_opts o;
	struct fb_err err;
	const char **sources = NULL;
	size_t nsources = 0;
	int c, rc;

	memset(&o, 0, sizeof(o));
	o.progress = -1;
	o.ties = -1;
	CLI_GETOPT_RESET();
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o.format = optarg;
			break;
		case 'd':
			o.sel.dataset = optarg;
			break;
		case 's':
			o.sel.source = optarg;
			break;
		case 'o':
			o.out = optarg;
			break;
		case 'P':
			o.preset = optarg;
			break;
		case 'S':
			o.strategy = optarg;
			break;
		case 'C':
			o.score = optarg;
			break;
		case 'r':
			o.rater = optarg;
			break;
		case 'c':
			o.consensus = optarg;
			break;
		case 'm':
			if (parse_double(optarg, &o.min_margin) < 0 || o.min_margin < 0) {
				free(sources);
				return cli_usage(cli, "--min-margin takes a number >= 0");
			}
			o.has_min_margin = 1;
			break;
		case 't':
			if (strcmp(optarg, "keep") && strcmp(optarg, "drop")) {
				free(sources);
				return cli_usage(cli, "--ties takes keep or drop");
			}
			o.ties = !strcmp(optarg, "keep");
			break;
		case 'x':
			sources = xrealloc(sources, (nsources + 1) * sizeof(*sources));
			sources[nsources++] = optarg;
			break;
		case 'X':
			o.exclude_prompts = optarg;
			break;
		case 'F':
			o.exclude_flagged = 1;
			break;
		case 'a':
			o.only_agreed = 1;
			break;
		case 'e':
			o.easy_to_hard = 1;
			break;
		case 'T':
			o.test_size = optarg;
			break;
		case 'R': {
			char *end;

			errno = 0;
			o.seed = strtoull(optarg, &end, 10);
			if (errno || !*optarg || *end || *optarg == '-') {
				free(sources);
				return cli_usage(cli, "--seed takes a whole number >= 0");
			}
			o.has_seed = 1;
			break;
		}
		case 'p':
			o.progress = 1;
			break;
		case 'h':
			free(sources);
			export_help();
			return 0;
		default:
			free(sources);
			return bad_option(cli, argv);
		}
	}
	o.exclude_sources = sources;
	o.nexclude_sources = nsources;
	if (optind < argc) {
		free(sources);
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	}
	if (export_check(&o, &err) != 0) {
		free(sources);
		return cli_usage(cli, "%s", err.msg);
	}
	if (cli_open(cli, DB_INTERACTIVE)) {
		free(sources);
		return 1;
	}
	rc = export_run(cli->db, &o, &err);
	cli_close(cli);
	free(sources);
	if (rc == 2)
		return cli_usage(cli, "%s", err.msg);
	return rc < 0 ? cli_fail(cli, "%s", err.msg) : 0;
}

/* ---- stats ---- */

int cmd_stats(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"dataset", required_argument, NULL, 'd'},
		{"source", required_argument, NULL, 's'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	enum tab_format fmt = TAB_TEXT;
	struct sel sel = {NULL, NULL};
	struct tab **tabs;
	struct fb_err err;
	size_t n, i;
	int c;

	CLI_GETOPT_RESET();
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			sel.dataset = optarg;
			break;
		case 's':
			sel.source = optarg;
			break;
		case 'f':
			if (tab_format_parse(optarg, &fmt) < 0)
				return cli_usage(cli, "--format must be table, json or csv");
			break;
		case 'h':
			printf("usage: feedbench stats [--dataset NAME] [--source S] "
			       "[--format table|json|csv]\n\n"
			       "Counts per data set, source, rater and aspect; rating histograms per\n"
			       "aspect and rater; how far each human rater has got.\n\n"
			       "example:\n  feedbench stats --format json\n");
			return 0;
		default:
			return bad_option(cli, argv);
		}
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (cli_open(cli, DB_INTERACTIVE))
		return 1;
	if (stats_tables(cli->db, &sel, &tabs, &n, &err) < 0) {
		cli_close(cli);
		return cli_fail(cli, "%s", err.msg);
	}
	tab_print(stdout, tabs, n, fmt);
	for (i = 0; i < n; i++)
		tab_free(tabs[i]);
	free(tabs);
	cli_close(cli);
	return 0;
}

/* ---- search ---- */

struct search_out {
	int color;
	int64_t last_pid;
};

/* Print a window of the text around the hit, made safe for the terminal. */
static int print_hit(const struct search_hit *h, void *arg)
{
	struct search_out *o = arg;
	size_t from = h->so > 60 ? h->so - 60 : 0, to = h->eo + 60;
	size_t len = strlen(h->text);
	char *pre, *mid, *post, *a, *b, *cc;

	if (to > len)
		to = len;
	/* move the window edges onto character boundaries */
	while (from > 0 && ((unsigned char)h->text[from] & 0xC0) == 0x80)
		from--;
	while (to < len && ((unsigned char)h->text[to] & 0xC0) == 0x80)
		to++;
	pre = xstrndup(h->text + from, h->so - from);
	mid = xstrndup(h->text + h->so, h->eo - h->so);
	post = xstrndup(h->text + h->eo, to - h->eo);
	a = text_for_terminal(pre, 200);
	b = text_for_terminal(mid, 200);
	cc = text_for_terminal(post, 200);
	printf("%lld\t%s\t%s%s%s%s%s%s%s\n", (long long)h->prompt_id, h->where,
	       from > 0 ? "\xe2\x80\xa6" : "", a, o->color ? "\033[1;31m" : "", b,
	       o->color ? "\033[0m" : "", cc, to < len ? "\xe2\x80\xa6" : "");
	free(pre);
	free(mid);
	free(post);
	free(a);
	free(b);
	free(cc);
	o->last_pid = h->prompt_id;
	return 0;
}

int cmd_search(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"in", required_argument, NULL, 'n'},
		{"dataset", required_argument, NULL, 'd'},
		{"source", required_argument, NULL, 's'},
		{"ignore-case", no_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct sel sel = {NULL, NULL};
	struct search_pattern p;
	struct search_out out = {0, 0};
	struct fb_err err;
	int c, fields = SEARCH_ALL, caseless = 0;
	long hits;

	CLI_GETOPT_RESET();
	while ((c = getopt_long(argc, argv, "hi", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!strcmp(optarg, "prompt"))
				fields = SEARCH_PROMPT;
			else if (!strcmp(optarg, "response"))
				fields = SEARCH_RESPONSE;
			else if (!strcmp(optarg, "rationale"))
				fields = SEARCH_RATIONALE;
			else if (!strcmp(optarg, "all"))
				fields = SEARCH_ALL;
			else
				return cli_usage(cli, "--in must be prompt, response, rationale or all");
			break;
		case 'd':
			sel.dataset = optarg;
			break;
		case 's':
			sel.source = optarg;
			break;
		case 'i':
			caseless = 1;
			break;
		case 'h':
			printf("usage: feedbench search PATTERN [--in prompt|response|rationale|all] "
			       "[-i]\n                        [--dataset NAME] [--source S]\n\n"
			       "PCRE2 (Perl-style, UTF-8) search.  Prints one line per matching field:\n"
			       "prompt id, where, and the match in context (highlighted on a terminal).\n"
			       "Exit status 0 when something matched, 1 when nothing did.\n\n"
			       "example:\n  feedbench search -i 'hallucinat\\w*' --in rationale\n");
			return 0;
		default:
			return bad_option(cli, argv);
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "give exactly one PATTERN");
	if (search_compile(&p, argv[optind], caseless, &err) < 0)
		return cli_fail(cli, "%s", err.msg);
	if (cli_open(cli, DB_INTERACTIVE)) {
		search_free(&p);
		return 1;
	}
	out.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	hits = search_run(cli->db, &p, &sel, fields, print_hit, &out, &err);
	search_free(&p);
	cli_close(cli);
	if (hits < 0)
		return cli_fail(cli, "%s", err.msg);
	return hits > 0 ? 0 : 1;
}

/* ---- rubrics ---- */

int cmd_rubrics(struct cli *cli, int argc, char **argv)
{
	struct rubric_set *rs;
	struct fb_err err;
	size_t i;
	int v;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: feedbench rubrics [ASPECT]\n\n"
		       "Lists the aspects (from the shipped rubrics, $XDG_CONFIG_HOME/feedbench/rubrics\n"
		       "and the directories in $FEEDBENCH_RUBRICS), or shows one rubric level by level.\n");
		return 0;
	}
	if (argc > 2)
		return cli_usage(cli, "give at most one ASPECT");
	if (rubric_set_load(&rs, &err) < 0)
		return cli_fail(cli, "%s", err.msg);
	if (argc == 2) {
		const struct rubric *r = rubric_find(rs, argv[1]);

		if (!r) {
			rubric_set_free(rs);
			return cli_fail(cli, "no aspect named '%s'", argv[1]);
		}
		printf("%s: %s (scale %d-%d%s) from %s\n", r->name, r->title, r->min, r->max,
		       r->allow_na ? ", N/A allowed" : "", r->origin);
		for (v = r->max; v >= r->min; v--)
			printf("  %d  %s\n", v, rubric_level(r, v) ? rubric_level(r, v) : "");
		for (i = 0; i < r->ntypes; i++)
			printf("  type %s: %s\n", r->types[i].id, r->types[i].text);
	} else {
		for (i = 0; i < rs->n; i++) {
			const struct rubric *r = rs->items[i];

			printf("%-24s %d-%d%s  %s\n", r->name, r->min, r->max,
			       r->allow_na ? " N/A" : "    ", r->title);
		}
	}
	rubric_set_free(rs);
	return 0;
}
