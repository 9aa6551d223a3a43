import { createRoot } from 'react-dom/client';
import { App } from './App';
import { AuthGate } from './auth/AuthGate';

createRoot(document.getElementById('root')!).render(<AuthGate><App /></AuthGate>);
