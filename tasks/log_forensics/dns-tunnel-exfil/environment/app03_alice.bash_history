#1783749503
tail -n 50 /var/log/syslog
#1783749619
systemctl status app
#1783770712
ls -la /srv
#1783770781
uptime
#1783771239
free -m
#1783771264
systemctl status app
#1783771371
df -h
#1783771393
tail -n 50 /var/log/syslog
#1783773283
journalctl -u nginx --since today
#1783773309
df -h
#1783813762
journalctl -u nginx --since today
#1783813779
df -h
#1783859170
free -m
#1783859211
ls -la /srv
#1783861258
free -m
#1783861265
tail -n 50 /var/log/syslog
#1783946901
df -h
#1783946968
ls -la /srv
#1784010258
tail -n 50 /var/log/syslog
#1784010264
uptime
#1784028967
free -m
#1784029028
ls -la /srv
#1784029615
free -m
#1784029684
tail -n 50 /var/log/syslog
#1784036420
journalctl -u nginx --since today
#1784036470
tail -n 50 /var/log/syslog
#1784051108
journalctl -u nginx --since today
#1784051212
free -m
#1784062613
df -h
#1784062662
systemctl status app
