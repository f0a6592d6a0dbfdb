import type { Severity } from '../../../compiler/index.ts';
import { active, displayPath, type LintFormatter } from './lint-formatter.ts';

const command: Readonly<Record<Severity, string>> = { error: 'error', warning: 'warning', note: 'notice' };

// GitHub's workflow-command escaping: data escapes %, CR, LF; properties also : and ,.
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** GitHub Actions annotations: `::error file=…,line=…,col=…,title=…::message`, shown on the PR's diff. */
export const github: LintFormatter = (result) =>
  active(result)
    .map((f) => {
      const props = [
        `file=${escapeProperty(displayPath(f.location.file))}`,
        `line=${f.location.line}`,
        `col=${f.location.column}`,
        `title=${escapeProperty(`${f.code} ${f.rule}`)}`,
      ];
      return `::${command[f.severity]} ${props.join(',')}::${escapeData(`${f.message}\nfix: ${f.fix}`)}`;
    })
    .join('\n');
