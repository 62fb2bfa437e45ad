/*
 * The scripted model as a server of its own, for the end-to-end tests (the
 * e2e step of `./portal test` starts it and points the portal's assistant
 * at it) and for trying the Ask page without a real model:
 *
 *   node --require @backstage/cli-node/config/nodeTransform.cjs \
 *     scripts/scripted-model.ts --port 7099
 *   APP_CONFIG_assistant_openai_baseUrl=http://127.0.0.1:7099/v1 \
 *     APP_CONFIG_assistant_openai_model=scripted ./portal start
 *
 * It is an OpenAI-compatible chat completions API that plays a few rules
 * (portalScript in @portal/test-utils/scriptedModel): a question calls the
 * fitting tool with the entity it names, the tool's result is answered
 * with the entity and its figures, a refusal with what the tool said. It
 * prints one line when it listens and one per request, and stops on
 * SIGTERM or SIGINT.
 */
import {
  portalScript,
  startScriptedModel,
} from '@portal/test-utils/scriptedModel';

function option(name: string) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const port = Number(option('--port') ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a port number, not ${option('--port')}`);
  }
  const model = await startScriptedModel(
    request => {
      const turn = portalScript(request);
      const what =
        'toolCalls' in turn && turn.toolCalls?.length
          ? `calls ${turn.toolCalls.map(c => `${c.name} ${c.arguments}`)}`
          : 'answers';
      process.stdout.write(`scripted model: ${what}\n`);
      return turn;
    },
    { port },
  );
  process.stdout.write(`scripted model listening at ${model.baseUrl}\n`);
  const stop = () => {
    model.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch(error => {
  process.stderr.write(`scripted model: ${error.message}\n`);
  process.exit(1);
});
