/* audit.c - the agreement and conflict commands (being wired: placeholder). */
#include "cli.h"

int cmd_agreement(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail(cli, "not built yet");
}

int cmd_conflict(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail(cli, "not built yet");
}
