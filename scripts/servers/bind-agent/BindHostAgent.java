package dev.idemflow.bindagent;

import static net.bytebuddy.matcher.ElementMatchers.nameEndsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.lang.instrument.Instrumentation;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;

/**
 * Confines every TCP listener of the JVM it is loaded into to one address
 * (the agent argument, e.g. 127.0.0.1).
 *
 * <p>Why an agent: Beam 2.50's job server takes --job-host, but its
 * ServerFactory builds every gRPC server with NettyServerBuilder.forPort(port),
 * which binds all interfaces; the job service, the artifact service and the Fn
 * API servers of each job have no host option at all, and the embedded Flink
 * opens a blob server of its own. Rather than patch each, this rewrites the
 * address at the three places every listener passes through: java.net's
 * ServerSocket, NIO's ServerSocketChannel, and Netty's native (epoll) socket,
 * whichever copy of Netty a library shades.
 *
 * <p>A listener that asks for a loopback address or for the agent's own address
 * keeps it; any other address (the wildcard above all) becomes the agent's.
 */
public final class BindHostAgent {
  /** Read by the advice, which is inlined into JDK and Netty classes that cannot see this class. */
  static final String PROPERTY = "idemflow.bind.host";

  private BindHostAgent() {}

  public static void premain(String host, Instrumentation instrumentation) throws UnknownHostException {
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("idemflow bind agent: give the address to bind as -javaagent:<jar>=<address>");
    }
    InetAddress address = InetAddress.getByName(host);
    if (address.isAnyLocalAddress()) {
      throw new IllegalArgumentException("idemflow bind agent: " + host + " is the wildcard; name one address");
    }
    System.setProperty(PROPERTY, address.getHostAddress());
    new AgentBuilder.Default()
        .disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
        .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
        // JDK classes are ignored by default; java.net and sun.nio.ch are the point here.
        .ignore(none())
        .type(named("java.net.ServerSocket").or(named("sun.nio.ch.ServerSocketChannelImpl")))
        .transform(
            (builder, type, loader, module, domain) ->
                builder.visit(
                    Advice.to(ConfineSocketAddress.class)
                        .on(named("bind").and(takesArguments(SocketAddress.class, int.class)))))
        .type(nameEndsWith("io.netty.channel.unix.Socket"))
        .transform(
            (builder, type, loader, module, domain) ->
                builder.visit(
                    Advice.to(ConfineSocketAddress.class)
                        .on(named("bind").and(takesArguments(SocketAddress.class)))))
        .installOn(instrumentation);
  }

  /** Inlined at the start of each bind(SocketAddress…): swaps a non-loopback address for the agent's. */
  static final class ConfineSocketAddress {
    private ConfineSocketAddress() {}

    @Advice.OnMethodEnter
    static void enter(@Advice.Argument(value = 0, readOnly = false) SocketAddress local) {
      String host = System.getProperty("idemflow.bind.host");
      if (host == null) return;
      if (local == null) {
        // ServerSocket.bind(null) means "any address, any port".
        local = new InetSocketAddress(host, 0);
      } else if (local instanceof InetSocketAddress) {
        InetSocketAddress requested = (InetSocketAddress) local;
        InetAddress ip = requested.getAddress();
        boolean kept = ip != null && (ip.isLoopbackAddress() || ip.getHostAddress().equals(host));
        if (!kept) local = new InetSocketAddress(host, requested.getPort());
      }
    }
  }
}
