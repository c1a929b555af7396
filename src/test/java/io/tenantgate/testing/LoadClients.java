package io.tenantgate.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A plain HTTP client for load and fairness tests: one call, reported as "200" or "503 <type>". */
public final class LoadClients {

    private static final Pattern TYPE = Pattern.compile("\"type\":\"urn:tenantgate:problem:([a-z-]+)\"");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LoadClients() {
    }

    public static String call(int port, String pathAndQuery, String token) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + pathAndQuery))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 503) {
                return Integer.toString(response.statusCode());
            }
            Matcher type = TYPE.matcher(response.body());
            return "503 " + (type.find() ? type.group(1) : "untyped");
        } catch (IOException e) {
            return "io-error " + e.getClass().getSimpleName();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
