/* judge.c - the LLM judge command (being built: placeholder). */
#include "cli.h"

int cmd_judge(struct cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail(cli, "not built yet");
}
