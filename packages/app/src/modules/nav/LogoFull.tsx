import { makeStyles } from '@material-ui/core';

const useStyles = makeStyles({
  logo: {
    display: 'flex',
    alignItems: 'center',
    gap: 10,
    color: '#fff',
    whiteSpace: 'nowrap',
  },
  mark: {
    width: 30,
    height: 30,
    flexShrink: 0,
  },
  name: {
    fontSize: 18,
    fontWeight: 700,
    lineHeight: 1.1,
  },
  sub: {
    display: 'block',
    fontSize: 11,
    fontWeight: 400,
    opacity: 0.75,
    letterSpacing: 0.4,
  },
});

/** The portal's mark: three stacked layers, one per stakeholder's view. */
export const LogoMark = ({ className }: { className?: string }) => (
  <svg className={className} viewBox="0 0 32 32" aria-hidden="true">
    <path d="M16 3 29 10 16 17 3 10Z" fill="#7df3e1" />
    <path
      d="M5.5 14.8 16 20.5l10.5-5.7L29 16.2 16 23.2 3 16.2Z"
      fill="#4fc3b1"
    />
    <path d="M5.5 21 16 26.7 26.5 21 29 22.4 16 29.4 3 22.4Z" fill="#2a9d8f" />
  </svg>
);

export const LogoFull = () => {
  const classes = useStyles();
  return (
    <div className={classes.logo}>
      <LogoMark className={classes.mark} />
      <span className={classes.name}>
        Acme
        <span className={classes.sub}>DEVELOPER PORTAL</span>
      </span>
    </div>
  );
};
