/* annotate.c - entry point of the annotation workbench (placeholder until the TUI lands). */
#include "cli.h"

int cmd_annotate(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail(cli, "the annotation workbench is not built yet");
}
