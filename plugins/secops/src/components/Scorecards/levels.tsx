import { Chip } from '@material-ui/core';
import { ScorecardLevel } from '@portal/plugin-secops-common';

/** Each level's chip: colours people read as medals, white text at 4.5:1 or more. */
export const LEVEL_STYLES: Record<
  ScorecardLevel,
  { label: string; background: string; color: string }
> = {
  gold: { label: 'Gold', background: '#854d0e', color: '#ffffff' },
  silver: { label: 'Silver', background: '#475569', color: '#ffffff' },
  bronze: { label: 'Bronze', background: '#9a3412', color: '#ffffff' },
};

/** A level as a chip; below bronze says so. */
export function LevelChip({ level }: { level?: ScorecardLevel }) {
  if (!level) {
    return (
      <Chip
        size="small"
        variant="outlined"
        label="Below bronze"
        aria-label="Level: below bronze"
      />
    );
  }
  const style = LEVEL_STYLES[level];
  return (
    <Chip
      size="small"
      label={style.label}
      aria-label={`Level: ${style.label}`}
      style={{ background: style.background, color: style.color }}
    />
  );
}
