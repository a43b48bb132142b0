import * as React from 'react';
import { createRoot } from 'react-dom/client';
const Main = () => <>{[1, 2].map((n) => <React.Fragment key={n}><b>{n}</b></React.Fragment>)}</>;
export { Main as default };
