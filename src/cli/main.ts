import { existsSync } from 'node:fs';
import { checkCommsTemplates } from '../comms/index.js';
import { configLocation, EnvError, loadCliEnv } from '../config/env.js';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { checkContainmentConfig } from '../containment/index.js';
import { EVIDENCE_VERIFY_USAGE, evidenceKeygenCommand, evidenceVerifyCommand } from '../evidence/index.js';
import { loadPostmortemTemplate } from '../resolution/index.js';
import { describeCadence } from './cadence.js';

/** `quell <command>`: operator commands that run without starting the app. */
const USAGE = `Usage:
  quell config check [path]   validate the config file (default: $QUELL_CONFIG or quell.config.yml)
  ${EVIDENCE_VERIFY_USAGE}`;

function configCheck(args: string[], environment: NodeJS.ProcessEnv): number {
  // a path on the command line wins over QUELL_CONFIG, and must exist like a named one
  const { path, required } = configLocation({
    QUELL_CONFIG: args[0] ?? loadCliEnv(environment).QUELL_CONFIG,
  });
  const config = loadConfigFile(path, { required });
  const cadences = Object.values(config.severities)
    .map((s) => `${s.label}: ${describeCadence(s.cadence)}`)
    .join(', ');
  const source = existsSync(path) ? path : `${path} (absent: defaults apply)`;
  const containment = checkContainmentConfig(config.containment, environment);
  const comms = checkCommsTemplates(config);
  console.log(`${source}: OK (${cadences}); ${containment}`);
  console.log(comms);
  loadPostmortemTemplate(config.resolution.postmortem.template);
  console.log(`postmortem: template OK (${config.resolution.postmortem.template})`);
  return 0;
}

/** `environment`: QUELL_CONFIG and the secrets the config file names (checked to be set). */
export function runCli(argv: string[], environment: NodeJS.ProcessEnv): number | Promise<number> {
  const [group, command, ...rest] = argv;
  try {
    if (group === 'config' && command === 'check') return configCheck(rest, environment);
    if (group === 'evidence' && command === 'verify') return evidenceVerifyCommand(rest);
    if (group === 'evidence' && command === 'keygen') return evidenceKeygenCommand(rest);
    console.error(
      group ? `quell: unknown command "${[group, command].filter(Boolean).join(' ')}"\n${USAGE}` : USAGE,
    );
    return 2;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof EnvError) {
      console.error(`quell: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

Promise.resolve(runCli(process.argv.slice(2), process.env)).then((code) => {
  process.exitCode = code;
});
