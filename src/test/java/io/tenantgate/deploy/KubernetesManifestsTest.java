package io.tenantgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.config.SmallRyeConfig;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.Management;
import io.tenantgate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The kustomize base in {@code deploy/kubernetes} agrees with the application it deploys: every
 * manifest parses strictly, probes and ports reach what the application serves, the grace period
 * outlasts the whole stop sequence, the budget's replica count covers a rollout at the HPA's
 * maximum, the Secret is a template, every setting is a real property, the pod is locked down, the
 * image's port and user match the Dockerfiles, and alerts read only metrics the application exports.
 *
 * <p>Values are the effective ones a pod runs with: application.properties in the prod profile with
 * the ConfigMap and the container's environment on top ({@link PropertyCatalogue#prodConfig}).
 * Paths and metric names are checked against this running application.
 */
@QuarkusTest
class KubernetesManifestsTest {

    private static final String PLACEHOLDER = "REPLACE_ME";
    /** Labels Prometheus itself puts on every scraped series (Prometheus Operator's ServiceMonitor targets). */
    private static final Set<String> TARGET_LABELS =
            Set.of("namespace", "pod", "service", "job", "instance", "endpoint", "container");

    // Loaded on first use rather than in a static initializer, so a manifest that does not parse
    // fails each test with its own message instead of "could not initialize class".
    private static Manifests manifests;
    private static PropertyCatalogue catalogue;
    private static Map<String, Set<String>> exported;

    private static synchronized Manifests manifests() {
        if (manifests == null) {
            manifests = Manifests.load();
        }
        return manifests;
    }

    private static synchronized PropertyCatalogue catalogue() {
        if (catalogue == null) {
            catalogue = PropertyCatalogue.load();
        }
        return catalogue;
    }

    /** The environment the manifests give the container: the ConfigMap's data, then its own `env` values. */
    private static Map<String, String> containerEnvironment() {
        Map<String, String> env = new LinkedHashMap<>(manifests().one(ConfigMap.class).getData());
        for (EnvVar var : manifests().container().getEnv()) {
            if (var.getValue() != null) {
                env.put(var.getName(), var.getValue());
            }
        }
        return env;
    }

    private static SmallRyeConfig prod() {
        return catalogue().prodConfig(containerEnvironment());
    }

    private static PodSpec podSpec() {
        return manifests().one(Deployment.class).getSpec().getTemplate().getSpec();
    }

    private static Duration duration(SmallRyeConfig config, String property) {
        return config.getOptionalValue(property, Duration.class).orElse(Duration.ZERO);
    }

    @Test
    void everyFileParsesStrictlyAndTheKustomizationListsExactlyTheManifests() {
        Manifests.Kustomization kustomization = manifests().kustomization();
        assertEquals("kustomize.config.k8s.io/v1beta1", kustomization.apiVersion());
        assertEquals("Kustomization", kustomization.kind());
        List<String> files = manifests().all().stream().map(Manifests.Manifest::file).sorted().toList();
        assertEquals(files, kustomization.resources().stream().sorted().toList(),
                "kustomization.yaml must list every manifest in deploy/kubernetes, and only those");
        assertEquals(Set.of(Manifests.README, Manifests.DASHBOARD, Manifests.DATABASE_CA_BUNDLE),
                Set.copyOf(manifests().otherFiles()), "deploy/kubernetes holds manifests, kustomization.yaml,"
                        + " README.md, the Grafana dashboard and the database CA bundle only");
        for (Manifests.Manifest manifest : manifests().all()) {
            assertNotNull(manifest.resource().getMetadata().getName(), manifest.file() + " has no name");
            assertEquals("tenantgate", manifest.resource().getMetadata().getLabels().get("app.kubernetes.io/name"),
                    manifest.file() + " lacks the app.kubernetes.io/name label every selector uses");
        }
    }

    @Test
    void selectorsAndReferencesPointAtTheseManifests() {
        Deployment deployment = manifests().one(Deployment.class);
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(podLabels.entrySet().containsAll(deployment.getSpec().getSelector().getMatchLabels().entrySet()),
                "the Deployment's selector matches its own pods");
        Service service = manifests().one(Service.class);
        assertTrue(podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()),
                "the Service selects the Deployment's pods");
        assertTrue(podLabels.entrySet().containsAll(
                        manifests().one(PodDisruptionBudget.class).getSpec().getSelector().getMatchLabels().entrySet()),
                "the PodDisruptionBudget covers the Deployment's pods");
        assertTrue(podLabels.entrySet().containsAll(
                        manifests().one(NetworkPolicy.class).getSpec().getPodSelector().getMatchLabels().entrySet()),
                "the NetworkPolicy applies to the Deployment's pods");
        assertTrue(service.getMetadata().getLabels().entrySet().containsAll(
                        manifests().one(ServiceMonitor.class).getSpec().getSelector().getMatchLabels().entrySet()),
                "the ServiceMonitor selects the Service");
        HorizontalPodAutoscaler hpa = manifests().one(HorizontalPodAutoscaler.class);
        assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
        assertEquals(deployment.getMetadata().getName(), hpa.getSpec().getScaleTargetRef().getName());

        List<EnvFromSource> envFrom = manifests().container().getEnvFrom();
        assertTrue(envFrom.stream().anyMatch(e -> e.getConfigMapRef() != null && e.getConfigMapRef().getName()
                .equals(manifests().one(ConfigMap.class).getMetadata().getName())), "the pod reads the ConfigMap");
        assertTrue(envFrom.stream().anyMatch(e -> e.getSecretRef() != null && e.getSecretRef().getName()
                .equals(manifests().one(Secret.class).getMetadata().getName())), "the pod reads the Secret");
    }

    @Test
    void probePathsAreServedByTheApplicationUnderTheSameRootsAsInProd() {
        // This application was built in the test profile, a packaged one in prod: the paths it serves
        // are the pod's only if no profile, and no variable in the ConfigMap, moves them.
        SmallRyeConfig tested = catalogue().config("test", Map.of());
        SmallRyeConfig prod = prod();
        for (String property : List.of("quarkus.http.root-path", "quarkus.http.non-application-root-path",
                "quarkus.smallrye-health.root-path", "quarkus.smallrye-health.liveness-path",
                "quarkus.smallrye-health.readiness-path", "quarkus.smallrye-health.startup-path",
                "quarkus.micrometer.export.prometheus.path")) {
            assertEquals(tested.getRawValue(property), prod.getRawValue(property),
                    property + " differs between the tested application and a pod");
        }
        Container container = manifests().container();
        // Each probe asks its own health group: a liveness probe on /ready would restart pods in an outage.
        Map<String, Probe> probes = new LinkedHashMap<>();
        probes.put("/started", container.getStartupProbe());
        probes.put("/live", container.getLivenessProbe());
        probes.put("/ready", container.getReadinessProbe());
        probes.forEach((group, probe) -> {
            assertNotNull(probe, "the " + group + " probe is missing");
            String path = probe.getHttpGet().getPath();
            assertTrue(path.endsWith(group), path + " is not the " + group + " health group");
            // A probe answers 200 (UP) or 503 (DOWN) with a health document; 404 means a wrong path.
            String body = Management.given().when().get(path).then().statusCode(anyOf(is(200), is(503))).extract()
                    .asString();
            assertTrue(body.contains("\"status\""), path + " is not a health document: " + body);
        });
    }

    @Test
    void probesAndMetricsUseTheManagementPortTheApiItsOwnAndOnlyMonitoringReachesManagement() {
        int httpPort = prod().getValue("quarkus.http.port", Integer.class);
        int managementPort = prod().getValue("quarkus.management.port", Integer.class);
        assertTrue(prod().getValue("quarkus.management.enabled", Boolean.class), "the management interface is on");
        Container container = manifests().container();
        assertEquals(List.of(httpPort, managementPort),
                container.getPorts().stream().map(ContainerPort::getContainerPort).toList(),
                "the container declares the API and management ports the application listens on in prod, and only them");
        for (Probe probe : List.of(container.getStartupProbe(), container.getLivenessProbe(),
                container.getReadinessProbe())) {
            assertEquals(managementPort, manifests().containerPort(probe.getHttpGet().getPort()),
                    probe.getHttpGet().getPath() + " probes another port than the management interface");
        }
        Service service = manifests().one(Service.class);
        Map<String, Integer> targets = new LinkedHashMap<>();
        service.getSpec().getPorts().forEach(p -> targets.put(p.getName(), manifests().containerPort(p.getTargetPort())));
        assertEquals(Map.of("http", httpPort, "management", managementPort), targets,
                "the Service names the API and the management port");
        manifests().one(ServiceMonitor.class).getSpec().getEndpoints().forEach(endpoint -> assertEquals(
                managementPort, targets.get(endpoint.getPort()), "the ServiceMonitor scrapes the management port"));

        NetworkPolicy policy = manifests().one(NetworkPolicy.class);
        Map<Integer, List<NetworkPolicyPeer>> ingress = new LinkedHashMap<>();
        policy.getSpec().getIngress().forEach(rule -> rule.getPorts().forEach(p -> ingress.put(
                manifests().containerPort(p.getPort()), rule.getFrom() == null ? List.of() : rule.getFrom())));
        assertEquals(Set.of(httpPort, managementPort), ingress.keySet(), "ingress opens the two ports and no other");
        assertTrue(ingress.get(httpPort).isEmpty(), "the API port is open to clients");
        List<NetworkPolicyPeer> scrapers = ingress.get(managementPort);
        assertFalse(scrapers.isEmpty(), "the management port is not open to everyone");
        assertTrue(scrapers.stream().allMatch(peer -> peer.getNamespaceSelector() != null && peer.getIpBlock() == null),
                "only a namespace (monitoring) may reach the management port: " + scrapers);
    }

    @Test
    void networkPolicyLetsThePodResolveNamesAndReachEveryConfiguredEndpoint() {
        NetworkPolicy policy = manifests().one(NetworkPolicy.class);
        assertEquals(List.of("Ingress", "Egress"), policy.getSpec().getPolicyTypes());
        Set<String> egress = new HashSet<>();
        policy.getSpec().getEgress().forEach(rule -> {
            assertFalse(rule.getPorts() == null || rule.getPorts().isEmpty(), "an egress rule without ports opens all");
            for (NetworkPolicyPort port : rule.getPorts()) {
                egress.add(port.getProtocol() + "/" + port.getPort().getIntVal());
            }
        });
        assertTrue(egress.containsAll(Set.of("UDP/53", "TCP/53")), "DNS over UDP and TCP: " + egress);
        assertTrue(egress.containsAll(Set.of("TCP/5432", "TCP/3306")), "PostgreSQL and MySQL ports: " + egress);

        SmallRyeConfig prod = prod();
        URI registry = URI.create(prod.getValue("tenantgate.registry.url", String.class));
        assertTrue(egress.contains("TCP/" + (registry.getPort() < 0 ? 5432 : registry.getPort())),
                "the registry at " + registry + " is reachable");
        prod.getOptionalValue("mp.jwt.verify.publickey.location", String.class)
                .filter(location -> location.startsWith("http"))
                .map(URI::create)
                .ifPresent(keys -> assertTrue(egress.contains("TCP/" + (keys.getPort() > 0 ? keys.getPort()
                                : keys.getScheme().equals("https") ? 443 : 80)),
                        "the token keys at " + keys + " are reachable"));
    }

    @Test
    void readinessProbeWaitsLongerThanTheRegistryCheckInsideIt() {
        Duration registryCheck = duration(prod(), "tenantgate.health.registry-timeout");
        int probeTimeout = manifests().container().getReadinessProbe().getTimeoutSeconds();
        assertTrue(Duration.ofSeconds(probeTimeout).compareTo(registryCheck) > 0,
                "a readiness probe that gives up sooner (" + probeTimeout + " s) than the registry check ("
                        + registryCheck + ") reports a slow registry as a dead pod");
    }

    /** What the kubelet's grace period must leave after the stop sequence: JVM exit, a slow node. */
    private static final Duration GRACE_MARGIN = Duration.ofSeconds(10);

    @Test
    void gracePeriodOutlastsPreStopShutdownDelayAndShutdownTimeoutWithAMargin() {
        SmallRyeConfig prod = prod();
        long preStop = preStopSleepSeconds(manifests().container().getLifecycle().getPreStop());
        Duration delay = duration(prod, "quarkus.shutdown.delay");
        Duration timeout = duration(prod, "quarkus.shutdown.timeout");
        Duration drain = duration(prod, "tenantgate.pool.drain-timeout");
        assertTrue(timeout.compareTo(drain) >= 0, "quarkus.shutdown.timeout (" + timeout
                + ") is at least tenantgate.pool.drain-timeout (" + drain + "): HTTP must not cut off what the drain"
                + " waits for");
        // GovernorShutdown's drain ends within the drain timeout of the HTTP phase's start, plus 1 s
        // to close the pools: the whole stop is preStop + delay + timeout + 1 s at most.
        Duration stop = Duration.ofSeconds(preStop).plus(delay).plus(timeout).plusSeconds(1);
        long grace = podSpec().getTerminationGracePeriodSeconds();
        assertTrue(Duration.ofSeconds(grace).compareTo(stop.plus(GRACE_MARGIN)) >= 0, "terminationGracePeriodSeconds "
                + grace + " must cover preStop + shutdown delay + shutdown timeout + 1 s = " + stop + " plus a margin of "
                + GRACE_MARGIN);
    }

    /** The seconds a preStop hook waits: `exec: ["sleep", "N"]` or Kubernetes's own `sleep` action. */
    private static long preStopSleepSeconds(LifecycleHandler preStop) {
        assertNotNull(preStop, "no preStop hook: endpoints would still route to the pod while it stops");
        if (preStop.getSleep() != null) {
            return preStop.getSleep().getSeconds();
        }
        List<String> command = preStop.getExec().getCommand();
        assertEquals("sleep", command.get(0), "preStop is a sleep");
        return Long.parseLong(command.get(1));
    }

    @Test
    void podsShareBudgetsThroughLeasesWithAFloorSizedForHpaMaximumPlusRolloutSurge() {
        int maxReplicas = manifests().one(HorizontalPodAutoscaler.class).getSpec().getMaxReplicas();
        RollingUpdateDeployment rolling = manifests().one(Deployment.class).getSpec().getStrategy().getRollingUpdate();
        assertNotNull(rolling, "an explicit rolling update, so the surge is known");
        int surge = podCount(rolling.getMaxSurge(), maxReplicas);
        assertEquals(0, podCount(rolling.getMaxUnavailable(), maxReplicas),
                "maxUnavailable 0: no capacity lost during a rollout");
        assertTrue(prod().getValue("tenantgate.budget.lease.enabled", Boolean.class),
                "leases on: pods split each budget by the live pods, and manual scaling stays safe");
        int replicas = prod().getValue("tenantgate.budget.max-replicas", Integer.class);
        assertEquals(maxReplicas + surge, replicas, "tenantgate.budget.max-replicas must be the HPA's maxReplicas ("
                + maxReplicas + ") + maxSurge (" + surge + "): the floor each pod keeps while the registry is"
                + " unreachable is budget / that");
    }

    /** A surge or unavailability in pods: a number, or a percentage of the replicas rounded up as Kubernetes does. */
    private static int podCount(IntOrString value, int replicas) {
        assertNotNull(value, "maxSurge and maxUnavailable are given explicitly, not left to defaults");
        if (value.getIntVal() != null) {
            return value.getIntVal();
        }
        int percent = Integer.parseInt(value.getStrVal().replace("%", ""));
        return (int) Math.ceil(replicas * percent / 100.0);
    }

    /**
     * The pod checks the issuer its identity provider writes, not the development default
     * ({@code tenantgate}), which would refuse every real token with 401: a Keycloak realm's
     * issuer is the URL its keys are published under.
     */
    @Test
    void thePodVerifiesTheIssuerOfTheIdentityProviderWhoseKeysItFetches() {
        SmallRyeConfig config = prod();
        String keys = config.getValue("mp.jwt.verify.publickey.location", String.class);
        String issuer = config.getValue("mp.jwt.verify.issuer", String.class);
        assertNotEquals("tenantgate", issuer, "the ConfigMap sets MP_JWT_VERIFY_ISSUER");
        assertTrue(keys.startsWith(issuer + "/"), "the keys " + keys + " are the issuer's, " + issuer);
    }

    @Test
    void secretTemplateCarriesOnlyPlaceholdersAndTheConfigMapNoCredentials() {
        for (Secret secret : manifests().all(Secret.class)) {
            assertTrue(secret.getData() == null || secret.getData().isEmpty(),
                    secret.getMetadata().getName() + ": base64 `data` would hide a real value; use stringData placeholders");
            assertFalse(secret.getStringData().isEmpty(), "the template names the keys to fill");
            secret.getStringData().forEach((key, value) -> assertEquals(PLACEHOLDER, value,
                    secret.getMetadata().getName() + "." + key + " carries a value, not the placeholder"));
        }
        Pattern credential = Pattern.compile(".*(PASSWORD|SECRET|CREDENTIALS|PRIVATE|TOKEN).*|.*_KEY");
        for (String key : manifests().one(ConfigMap.class).getData().keySet()) {
            assertFalse(credential.matcher(key).matches(), key + " looks like a credential: it belongs in the Secret");
        }
    }

    @Test
    void everyConfigMapAndSecretEntryIsARealRunTimeProperty() {
        Map<String, String> entries = new LinkedHashMap<>(manifests().one(ConfigMap.class).getData());
        manifests().one(Secret.class).getStringData().forEach(entries::put);
        List<String> problems = new ArrayList<>();
        entries.keySet().forEach(name -> {
            List<PropertyCatalogue.Property> set = catalogue().setBy(name);
            if (set.isEmpty()) {
                problems.add(name + " sets no property the application reads");
            } else if (set.stream().noneMatch(PropertyCatalogue.Property::runtime)) {
                problems.add(name + " sets " + set.get(0).name() + ", which is fixed at build time");
            }
        });
        assertEquals(List.of(), problems);
    }

    /**
     * The CA bundle the pod's configuration names is the file kustomize makes into a ConfigMap of a
     * stable name, mounted as a directory: only a directory mount, not a {@code subPath}, receives
     * an updated ConfigMap, which tenantgate then reads again without a restart. The committed
     * bundle parses as PEM certificates, so the base starts as it is.
     */
    @Test
    void theDatabaseCaBundleIsMountedWhereThePodLooksAndFollowsConfigMapUpdates() throws Exception {
        String path = prod().getValue("tenantgate.database-tls.ca-files", String.class);
        Manifests.ConfigMapGenerator generator = manifests().generator("tenantgate-database-ca");
        assertEquals(List.of("ca-bundle.pem=" + Manifests.DATABASE_CA_BUNDLE), generator.files());
        assertEquals(Boolean.TRUE, generator.options().disableNameSuffixHash(), "updated in place, not renamed");
        io.fabric8.kubernetes.api.model.VolumeMount mount = manifests().container().getVolumeMounts().stream()
                .filter(m -> path.equals(m.getMountPath() + "/ca-bundle.pem")).findFirst()
                .orElseThrow(() -> new AssertionError("nothing is mounted where " + path + " is"));
        assertTrue(mount.getSubPath() == null || mount.getSubPath().isEmpty(), "a directory mount, which follows updates");
        assertEquals(Boolean.TRUE, mount.getReadOnly());
        io.fabric8.kubernetes.api.model.Volume volume = podSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
        assertEquals(generator.name(), volume.getConfigMap().getName());
        try (var in = Files.newInputStream(Manifests.DIRECTORY.resolve(Manifests.DATABASE_CA_BUNDLE))) {
            assertFalse(java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty(),
                    "the bundle holds PEM certificates");
        }
    }

    @Test
    void podRunsNonRootWithReadOnlyRootFilesystemAndNoCapabilities() {
        PodSpec pod = podSpec();
        PodSecurityContext podSecurity = pod.getSecurityContext();
        assertEquals(Boolean.TRUE, podSecurity.getRunAsNonRoot(), "runAsNonRoot");
        // Any non-root UID: OpenShift's restricted-v2 assigns its own and refuses a pod naming one.
        assertEquals(null, podSecurity.getRunAsUser(), "no runAsUser: the image's USER or the platform's UID");
        assertEquals(null, podSecurity.getRunAsGroup(), "no runAsGroup");
        assertEquals(null, podSecurity.getFsGroup(), "no fsGroup: OpenShift assigns it, an overlay may add it");
        assertEquals("RuntimeDefault", podSecurity.getSeccompProfile().getType(), "seccomp profile");
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), "no API token in a pod that never calls the API");
        SecurityContext security = manifests().container().getSecurityContext();
        assertEquals(Boolean.TRUE, security.getReadOnlyRootFilesystem(), "readOnlyRootFilesystem");
        assertEquals(Boolean.FALSE, security.getAllowPrivilegeEscalation(), "allowPrivilegeEscalation");
        assertEquals(List.of("ALL"), security.getCapabilities().getDrop(), "capabilities dropped");
        assertTrue(security.getCapabilities().getAdd() == null || security.getCapabilities().getAdd().isEmpty(),
                "no capability added back");
        assertTrue(security.getPrivileged() == null || !security.getPrivileged(), "not privileged");
        // With the root filesystem read-only, /tmp (Vert.x's file cache, the JVM's perf data) must be a volume.
        String tmpVolume = manifests().container().getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp"))
                .findFirst().orElseThrow(() -> new AssertionError("/tmp is not writable")).getName();
        assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getName().equals(tmpVolume) && v.getEmptyDir() != null),
                "/tmp is an emptyDir");
    }

    @Test
    void imagePortAndUserAgreeWithTheDockerfilesAndJib() throws IOException {
        Dockerfile jvm = Dockerfile.read("Dockerfile.jvm");
        Container container = manifests().container();
        List<Integer> containerPorts = container.getPorts().stream().map(ContainerPort::getContainerPort).toList();
        assertEquals(containerPorts, jvm.exposed(), "Dockerfile.jvm EXPOSE");
        // runAsNonRoot without runAsUser: the kubelet can check a numeric USER only.
        assertTrue(jvm.user().matches("[1-9][0-9]*"), "Dockerfile.jvm's USER is a numeric non-root UID: " + jvm.user());

        // An `env` entry replaces the image's value of the same name; the image's options must survive.
        Optional<String> javaOpts = container.getEnv().stream().filter(e -> e.getName().equals("JAVA_OPTS_APPEND"))
                .map(EnvVar::getValue).findFirst();
        javaOpts.ifPresent(value -> {
            for (String option : jvm.env().get("JAVA_OPTS_APPEND").split("\\s+")) {
                assertTrue(List.of(value.split("\\s+")).contains(option), "JAVA_OPTS_APPEND drops the image's " + option);
            }
        });

        // Jib builds the same image from application.properties.
        SmallRyeConfig prod = prod();
        assertEquals(jvm.user(), prod.getRawValue("quarkus.jib.user"), "quarkus.jib.user");
        assertEquals(containerPorts.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")),
                prod.getRawValue("quarkus.jib.ports"), "quarkus.jib.ports");
        assertEquals(jvm.from(), prod.getRawValue("quarkus.jib.base-jvm-image"), "quarkus.jib.base-jvm-image");
        String repository = prod.getRawValue("quarkus.container-image.group") + "/"
                + prod.getRawValue("quarkus.container-image.name");
        assertTrue(container.getImage().startsWith(repository + ":"),
                "the Deployment's image " + container.getImage() + " is the one Jib names " + repository);

        // The native images run as their own USER, which the pod takes as it is: no overlay patches it.
        assertFalse(Files.readString(Manifests.DIRECTORY.resolve(Manifests.README)).contains("securityContext/runAsUser"),
                "deploy/kubernetes/README.md's overlays name no UID");
        for (String nativeFile : List.of("Dockerfile.native", "Dockerfile.native-micro")) {
            Dockerfile nativeImage = Dockerfile.read(nativeFile);
            assertEquals(containerPorts, nativeImage.exposed(), nativeFile + " EXPOSE");
            assertTrue(nativeImage.user().matches("[1-9][0-9]*"), nativeFile + "'s USER is a numeric non-root UID");
        }
    }

    /**
     * In a Prometheus that other services share, an alert or a panel that reads
     * {@code http_server_requests_*} without a filter counts their requests too. Every selector names
     * tenantgate's job (the ServiceMonitor takes it from the Service's name label, which an
     * overlay's namePrefix leaves alone); the dashboard's also name the namespace picked.
     */
    @Test
    void alertsAndPanelsReadOnlyTenantgatesOwnSeries() throws IOException {
        ServiceMonitor monitor = manifests().one(ServiceMonitor.class);
        String jobLabel = monitor.getSpec().getJobLabel();
        assertNotNull(jobLabel, "the ServiceMonitor names the Service label that becomes job");
        String job = manifests().one(Service.class).getMetadata().getLabels().get(jobLabel);
        assertEquals("tenantgate", job, "job comes from the Service's " + jobLabel + " label");
        List<String> problems = new ArrayList<>();
        for (Rule rule : manifests().one(PrometheusRule.class).getSpec().getGroups().stream()
                .flatMap(group -> group.getRules().stream()).toList()) {
            String expression = rule.getExpr().getStrVal();
            PromQl.selectors(expression).labelsByMetric().forEach((metric, labels) -> {
                if (!labels.contains("job")) {
                    problems.add(rule.getAlert() + " reads " + metric + " of every job");
                }
            });
            if (!expression.contains("job=\"" + job + "\"")) {
                problems.add(rule.getAlert() + " does not select job=\"" + job + "\"");
            }
        }
        JsonNode dashboard = new ObjectMapper().readTree(Manifests.DIRECTORY.resolve(Manifests.DASHBOARD).toFile());
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                PromQl.selectors(target.get("expr").asText()).labelsByMetric().forEach((metric, labels) -> {
                    if (!labels.containsAll(Set.of("job", "namespace"))) {
                        problems.add("panel " + panel.get("title").asText() + " reads " + metric
                                + " without the job and namespace picked");
                    }
                });
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void aDrainEvictsOnePodAtATimeWhateverTheReplicaCount() {
        PodDisruptionBudget budget = manifests().one(PodDisruptionBudget.class);
        assertEquals(new IntOrString(1), budget.getSpec().getMaxUnavailable(),
                "maxUnavailable 1: minAvailable 1 lets a drain of 4 pods evict 3 at once");
        assertNull(budget.getSpec().getMinAvailable(), "one rule, not two");
    }

    @Test
    void alertRulesReadOnlyMetricsAndLabelsTheApplicationExports() throws Throwable {
        Map<String, Set<String>> exported = exportedAfterEveryMeterIsUsed();
        List<Rule> rules = manifests().one(PrometheusRule.class).getSpec().getGroups().stream()
                .flatMap(group -> group.getRules().stream()).toList();
        Set<String> alerts = new HashSet<>();
        rules.forEach(rule -> alerts.add(rule.getAlert()));
        assertEquals(Set.of("TenantgateServerBudgetSaturated", "TenantgateBreakersOpen", "TenantgateRejectingRequests"),
                alerts);
        List<String> problems = new ArrayList<>();
        for (Rule rule : rules) {
            problems.addAll(unexportedReads(rule.getAlert(), rule.getExpr().getStrVal(), exported));
            assertNotNull(rule.getFor(), rule.getAlert() + " fires on a single evaluation");
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void theGrafanaDashboardShipsToTheSidecarAndReadsOnlyMetricsAndLabelsTheApplicationExports() throws Throwable {
        Manifests.ConfigMapGenerator generator = manifests().generator("tenantgate-grafana-dashboard");
        assertEquals(List.of(Manifests.DASHBOARD), generator.files());
        assertEquals("1", generator.options().labels().get("grafana_dashboard"), "the label the Grafana sidecar looks for");
        assertEquals(Boolean.TRUE, generator.options().disableNameSuffixHash(), "a stable name to mount or reference");

        Map<String, Set<String>> exported = exportedAfterEveryMeterIsUsed();
        JsonNode dashboard = new ObjectMapper().readTree(Manifests.DIRECTORY.resolve(Manifests.DASHBOARD).toFile());
        List<String> problems = new ArrayList<>();
        Set<String> titles = new HashSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            String title = panel.get("title").asText();
            titles.add(title);
            assertFalse(panel.get("targets").isEmpty(), title + " queries nothing");
            for (JsonNode target : panel.get("targets")) {
                problems.addAll(unexportedReads(title, target.get("expr").asText(), exported));
            }
        }
        for (JsonNode variable : dashboard.at("/templating/list")) {
            Matcher values = Pattern.compile("label_values\\((\\w+)(\\{[^}]*\\})?, (\\w+)\\)")
                    .matcher(variable.at("/query/query").asText());
            if (values.matches() && !TARGET_LABELS.contains(values.group(3))
                    && !exported.getOrDefault(values.group(1), Set.of()).contains(values.group(3))) {
                problems.add("variable " + variable.get("name").asText() + " lists " + values.group(3) + " of "
                        + values.group(1) + ", which is not exported with that label");
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(Set.of("Budget use per server", "Connections per server", "Waiting for a connection",
                "Hand-overs between tenants", "503 answers by reason", "Circuit breakers open",
                "Top tenants by connections", "Request latency", "Requests by status"), titles);
    }

    /**
     * The metrics the ServiceMonitor scrapes, with their labels, once every meter has been used.
     * Taken once for the alert rules and the dashboard alike: both read the same application.
     */
    private static synchronized Map<String, Set<String>> exportedAfterEveryMeterIsUsed() throws Throwable {
        if (exported == null) {
            exerciseEveryMeter();
            String path = manifests().one(ServiceMonitor.class).getSpec().getEndpoints().get(0).getPath();
            exported = PromQl.exposition(Management.given().when().get(path).then().statusCode(200).extract().asString());
        }
        return exported;
    }

    /** What {@code expression} reads that the application does not export: metrics, label filters, groupings. */
    private static List<String> unexportedReads(String reader, String expression, Map<String, Set<String>> exported) {
        List<String> problems = new ArrayList<>();
        PromQl.Selectors selectors = PromQl.selectors(expression);
        Set<String> labelsRead = new HashSet<>(TARGET_LABELS);
        selectors.labelsByMetric().forEach((metric, labels) -> {
            Set<String> carried = exported.get(metric);
            if (carried == null) {
                problems.add(reader + " reads " + metric + ", which the application does not export");
                return;
            }
            labelsRead.addAll(carried);
            labels.stream().filter(l -> !carried.contains(l) && !TARGET_LABELS.contains(l)).forEach(l ->
                    problems.add(reader + " filters " + metric + " on " + l + ", a label it does not carry"));
        });
        selectors.groupingLabels().stream().filter(l -> !labelsRead.contains(l)).forEach(l ->
                problems.add(reader + " groups by " + l + ", which none of its metrics carries"));
        return problems;
    }

    /**
     * Meters register when first used: server meters when the governor first sees a server, HTTP
     * meters when a status is first answered. One fresh tenant with a single connection, asked twice at
     * once to hold it for 4 s, gets one answer and one 503 (its second request waits the 2 s
     * acquire timeout).
     */
    private static void exerciseEveryMeter() throws Throwable {
        TenantRoute tenant = FreshTenants.provision(DatabaseKind.MYSQL, FreshTenants.key("k8s-meters"), 1);
        String token = TestTokens.forTenant(tenant.key());
        Map<Integer, Integer> statuses = new HashMap<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                calls.add(threads.submit(() -> given().header("Authorization", "Bearer " + token)
                        .when().get("/test/sleep?ms=4000").statusCode()));
            }
            for (Future<Integer> call : calls) {
                statuses.merge(call.get(30, TimeUnit.SECONDS), 1, Integer::sum);
            }
        }
        if (!statuses.containsKey(503)) {
            fail("expected one 503 from a tenant with one connection asked twice at once, got " + statuses);
        }
    }
}
