// Shown (with status 403) when a logged-in user's role does not allow a page: see requireUser().
import Link from 'next/link';

export default function Forbidden() {
  return (
    <section className="forbidden">
      <h1>Not allowed</h1>
      <p>Your role does not allow this page. Ask an admin if you need it.</p>
      <p>
        <Link href="/">Back to the home page</Link>
      </p>
    </section>
  );
}
