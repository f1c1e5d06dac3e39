// judge_npm.js - the peer for the judge benchmark: the official `openai` npm
// client sending the same chat-completion requests as `feedbench judge`, with
// the same concurrency, against the same fake server.
//
//   NODE_PATH=DIR/node_modules node judge_npm.js BATCH.jsonl BASE_URL CONCURRENCY
//
// BATCH.jsonl is what `feedbench judge --batch-out` wrote: its bodies are the
// very requests feedbench sends.  They are read before the clock starts; the
// clock covers sending them all and reading every answer's text (no storage).
// Prints one line of JSON: requests, answered, failed, seconds, cpu_ms.
'use strict';
const fs = require('fs');
const OpenAI = require('openai');

async function main() {
	const [file, baseURL, conc] = process.argv.slice(2);
	const bodies = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l)
		.map((l) => JSON.parse(l).body);
	const client = new OpenAI({ baseURL, apiKey: 'bench-not-a-key', maxRetries: 2,
		timeout: 600000 });
	let next = 0, answered = 0, failed = 0;
	async function worker() {
		for (;;) {
			const i = next++;
			if (i >= bodies.length)
				return;
			try {
				const r = await client.chat.completions.create(bodies[i]);
				if (typeof r.choices[0].message.content === 'string')
					answered++;
				else
					failed++;
			} catch (e) {
				failed++;
			}
		}
	}
	const c0 = process.cpuUsage();
	const t0 = process.hrtime.bigint();
	await Promise.all(Array.from({ length: Number(conc) }, worker));
	const secs = Number(process.hrtime.bigint() - t0) / 1e9;
	const c = process.cpuUsage(c0);
	console.log(JSON.stringify({ requests: bodies.length, answered, failed, seconds: secs,
		cpu_ms: (c.user + c.system) / 1000 }));
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
