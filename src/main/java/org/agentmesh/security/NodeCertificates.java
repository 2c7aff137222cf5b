package org.agentmesh.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates what mutual TLS between nodes needs, with the JDK's own {@code keytool}: a certificate authority, a trust
 * store holding its certificate, and one PKCS#12 key store per node with a key pair signed by the CA (subject
 * alternative names 127.0.0.1 and localhost plus the node's name, so hostname verification can stay on for loopback).
 * A node trusts exactly the peers whose certificate this CA signed.
 */
public final class NodeCertificates {

    private final Path dir;
    private final String password;
    private final int validityDays;

    /**
     * @param dir where the files go (created if missing)
     * @param password password of every key store it writes (at least 6 characters, as keytool requires)
     */
    public NodeCertificates(Path dir, String password, int validityDays) {
        if (password.length() < 6) {
            throw new IllegalArgumentException("password must have at least 6 characters");
        }
        if (validityDays < 1) {
            throw new IllegalArgumentException("validityDays must be >= 1");
        }
        this.dir = dir;
        this.password = password;
        this.validityDays = validityDays;
    }

    public Path caKeyStore() {
        return dir.resolve("ca.p12");
    }

    public Path caCertificate() {
        return dir.resolve("ca.pem");
    }

    public Path trustStore() {
        return dir.resolve("truststore.p12");
    }

    public Path nodeKeyStore(String node) {
        return dir.resolve(node + ".p12");
    }

    /** Creates the CA key store, its certificate and the trust store, unless the CA exists already. */
    public void createAuthority(String name) {
        if (Files.exists(caKeyStore())) {
            return;
        }
        mkdirs();
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "bc:c", "-validity", String.valueOf(validityDays), "-keystore", caKeyStore().toString(),
                "-storetype", "PKCS12", "-storepass", password);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", caKeyStore().toString(), "-storepass", password,
                "-file", caCertificate().toString());
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate().toString(),
                "-keystore", trustStore().toString(), "-storetype", "PKCS12", "-storepass", password);
    }

    /** Creates {@code <node>.p12}: the node's key pair with a certificate chain up to the CA. */
    public Path createNode(String node) {
        if (!node.matches("[A-Za-z0-9][A-Za-z0-9.-]{0,62}")) {
            throw new IllegalArgumentException("node name must be a DNS label-like name, was '" + node + "'");
        }
        Path ks = nodeKeyStore(node);
        Path csr = dir.resolve(node + ".csr");
        Path pem = dir.resolve(node + ".pem");
        String san = "SAN=IP:127.0.0.1,DNS:localhost,DNS:" + node;
        keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + node,
                "-ext", san, "-validity", String.valueOf(validityDays), "-keystore", ks.toString(), "-storetype", "PKCS12",
                "-storepass", password);
        keytool("-certreq", "-alias", "node", "-keystore", ks.toString(), "-storepass", password, "-file", csr.toString());
        keytool("-gencert", "-alias", "ca", "-keystore", caKeyStore().toString(), "-storepass", password,
                "-infile", csr.toString(), "-outfile", pem.toString(), "-rfc", "-ext", san,
                "-ext", "ku:c=digitalSignature,keyAgreement", "-ext", "eku=serverAuth,clientAuth",
                "-validity", String.valueOf(validityDays));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate().toString(),
                "-keystore", ks.toString(), "-storepass", password);
        keytool("-importcert", "-alias", "node", "-file", pem.toString(), "-keystore", ks.toString(), "-storepass", password);
        try {
            Files.deleteIfExists(csr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ks;
    }

    private void mkdirs() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void keytool(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: " + out.trim());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
