package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"os/exec"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
)

// The go-plugin handshake of terraform-plugin-go's protocol 6 servers.
const (
	magicCookieKey   = "TF_PLUGIN_MAGIC_COOKIE"
	magicCookieValue = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"

	// GetProviderSchema's request is an empty message and Shutdown's both
	// are, so the well-known Empty encodes them; the schema answer is read
	// as unknown fields of Empty, which is enough to know its size.
	methodGetProviderSchema = "/tfplugin6.Provider/GetProviderSchema"
	methodShutdown          = "/plugin.GRPCController/Shutdown"
)

// StartTiming is one start of the provider binary, timed from exec.
type StartTiming struct {
	Handshake   time.Duration // until the go-plugin handshake line
	Schema      time.Duration // until the GetProviderSchema answer arrived
	SchemaBytes int           // size of that answer
}

// ClientCert is the certificate a CLI makes for go-plugin's automatic
// mutual TLS; make it once, as the CLI does before starting providers.
type ClientCert struct {
	certPEM, keyPEM []byte
}

// NewClientCert generates a certificate as go-plugin does (ECDSA P-521,
// self-signed, for localhost).
func NewClientCert() (*ClientCert, error) {
	certPEM, keyPEM, err := generateCert()
	if err != nil {
		return nil, err
	}
	return &ClientCert{certPEM: certPEM, keyPEM: keyPEM}, nil
}

// StartToSchema starts binary the way Terraform and OpenTofu start a
// provider (go-plugin handshake, protocol 6, automatic mutual TLS over a
// Unix socket), asks for its schema, and stops it; the clock runs from
// exec to the schema answer.
func StartToSchema(ctx context.Context, binary string, cert *ClientCert) (StartTiming, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary)
	cmd.Env = append(os.Environ(),
		magicCookieKey+"="+magicCookieValue,
		"PLUGIN_PROTOCOL_VERSIONS=6",
		"PLUGIN_CLIENT_CERT="+string(cert.certPEM),
		"PLUGIN_MIN_PORT=10000", "PLUGIN_MAX_PORT=25000",
	)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return StartTiming{}, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr

	started := time.Now()
	if err := cmd.Start(); err != nil {
		return StartTiming{}, err
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	lines := bufio.NewReader(stdout)
	line, err := lines.ReadString('\n')
	if err != nil {
		return StartTiming{}, fmt.Errorf("no handshake from %s: %w\n%s", binary, err, stderr.String())
	}
	result := StartTiming{Handshake: time.Since(started)}
	go func() { _, _ = io.Copy(io.Discard, lines) }()

	// CORE-VERSION|APP-VERSION|NETWORK|ADDRESS|PROTOCOL|SERVER-CERT
	parts := strings.Split(strings.TrimSpace(line), "|")
	if len(parts) < 6 || parts[2] != "unix" || parts[4] != "grpc" || parts[5] == "" {
		return result, fmt.Errorf("unexpected handshake %q", line)
	}
	tlsConfig, err := cert.tlsConfig(parts[5])
	if err != nil {
		return result, err
	}
	conn, err := grpc.NewClient("unix:"+parts[3], grpc.WithTransportCredentials(credentials.NewTLS(tlsConfig)))
	if err != nil {
		return result, err
	}
	defer func() { _ = conn.Close() }()
	schema := &emptypb.Empty{}
	if err := conn.Invoke(ctx, methodGetProviderSchema, &emptypb.Empty{}, schema); err != nil {
		return result, fmt.Errorf("GetProviderSchema: %w", err)
	}
	result.Schema = time.Since(started)
	result.SchemaBytes = proto.Size(schema)
	if result.SchemaBytes == 0 {
		return result, errors.New("GetProviderSchema answered an empty message")
	}
	// A clean stop, as the CLI asks for it; the deferred kill is the fallback.
	_ = conn.Invoke(ctx, methodShutdown, &emptypb.Empty{}, &emptypb.Empty{})
	return result, nil
}

func (c *ClientCert) tlsConfig(serverCert string) (*tls.Config, error) {
	keyPair, err := tls.X509KeyPair(c.certPEM, c.keyPEM)
	if err != nil {
		return nil, err
	}
	der, err := base64.RawStdEncoding.DecodeString(serverCert)
	if err != nil {
		return nil, fmt.Errorf("server certificate: %w", err)
	}
	parsed, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("server certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(parsed)
	return &tls.Config{
		Certificates: []tls.Certificate{keyPair},
		RootCAs:      pool,
		ServerName:   "localhost",
		MinVersion:   tls.VersionTLS12,
	}, nil
}

// generateCert is go-plugin's own (mtls.go), which it does not export.
func generateCert() (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, nil, err
	}
	template := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"HashiCorp"}},
		DNSNames:              []string{"localhost"},
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageKeyAgreement | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		SerialNumber:          serial,
		NotBefore:             time.Now().Add(-30 * time.Second),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, key.Public(), key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	return certPEM, keyPEM, nil
}
