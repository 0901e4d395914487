// Top level: the login page, or the workspace (pages + floating phone) once logged in.
import { LoginPage } from '../pages/LoginPage';
import { useApp, useStore } from './context';
import { Shell } from './Shell';
import { WorkspaceProvider } from './WorkspaceProvider';

export function App() {
  const { session } = useApp();
  const current = useStore(session);
  if (!current) return <LoginPage />;
  // Keyed by token: a new login builds a fresh workspace (stream, phone).
  return (
    <WorkspaceProvider key={current.token} session={current}>
      <Shell />
    </WorkspaceProvider>
  );
}
