// next-auth's endpoints (/api/auth/csrf, /signin, /callback/…, /session, /signout): public by design.
import NextAuth from 'next-auth';
import { getAuthOptions } from '@/lib/auth/options';

type Context = { params: Promise<{ nextauth: string[] }> };

// Options are built on first request, not at import, so `next build` needs no secrets.
function handler(req: Request, context: Context) {
  return NextAuth(req as never, context as never, getAuthOptions());
}

export { handler as GET, handler as POST };
