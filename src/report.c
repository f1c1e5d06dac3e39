/* report.c - the HTML report command (being built: placeholder). */
#include "cli.h"

int cmd_report(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail(cli, "not built yet");
}
