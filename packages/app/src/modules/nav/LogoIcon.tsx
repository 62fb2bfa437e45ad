import { makeStyles } from '@material-ui/core';
import { LogoMark } from './LogoFull';

const useStyles = makeStyles({
  svg: {
    width: 'auto',
    height: 28,
  },
});

export const LogoIcon = () => {
  const classes = useStyles();
  return <LogoMark className={classes.svg} />;
};
