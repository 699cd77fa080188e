// Problems shown where the technician looks first, each with the one thing that helps: the disk
// cannot take points, is nearly full, points were dropped or refused. Nothing is hidden behind a
// calm "Local only".
import { LogFolderButton } from '../common/LogFolderButton';
import { useProblemsStore } from '../stores/problemsStore';

export function ProblemsBanner(): React.JSX.Element | null {
  const problems = useProblemsStore((s) => s.problems);
  if (problems.length === 0) return null;
  return (
    <div className="problems-banner" role="alert" data-testid="problems">
      {problems.map((p) => (
        <p key={p.id} className={`problem problem-${p.severity}`} data-testid={`problem-${p.id}`}>
          <strong>{p.message}</strong>
          {p.remedy && <span> {p.remedy}</span>}
        </p>
      ))}
      <LogFolderButton />
    </div>
  );
}
