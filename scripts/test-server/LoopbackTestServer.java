// Temporal's Java time-skipping test server (io.temporal:temporal-test-server), listening on 127.0.0.1 only.
// Its own main (io.temporal.testserver.TestServer) binds every interface and has no option for an address;
// this is that main with the address given: the same services, the same arguments (`<port>
// [--enable-time-skipping]`, as Temporal's SDK starts its test server binary), the same shutdown.
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

public final class LoopbackTestServer {
  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2 || (args.length == 2 && !args[1].equalsIgnoreCase("--enable-time-skipping"))) {
      System.err.println("Usage: LoopbackTestServer <port> [--enable-time-skipping]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    boolean lockTimeSkipping = args.length == 1; // as TestServer's main: skipping starts locked unless enabled
    TestServicesStarter services = new TestServicesStarter(lockTimeSkipping, 0);
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port), InsecureServerCredentials.create());
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
    Server server = builder.build().start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdown();
      try {
        server.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      services.close();
      server.shutdownNow();
    }));
    server.awaitTermination();
  }
}
